"""Database: models, the async engine and session factory, and schema migrations."""
