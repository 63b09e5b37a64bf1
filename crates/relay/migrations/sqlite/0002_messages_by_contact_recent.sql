-- The conversation with a number, newest first, read straight from the index (no sort of the number's whole
-- history to break ties on id).
DROP INDEX messages_by_contact;
CREATE INDEX messages_by_contact_recent ON messages (contact, created_at DESC, id DESC);
