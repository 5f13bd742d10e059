"""Speech: screens read aloud as Telegram voice notes, made offline by eSpeak NG."""
