-- A conversation opened from an anonymous comment is keyed by the writer it hides.
--
-- Why: the key was `comments:<post>` for the pair of users whichever of them was hidden. When
-- V wrote to A's anonymous comment (a conversation hiding A, showing V to A) and A then wrote
-- to any anonymous comment of V on the same post, A's message joined that same conversation:
-- A learned that the comment, labelled only 익명N, was V's. Keys now end with the hidden
-- writer (db/messages.ts), and existing conversations are given theirs.
update conversations
set source_key = source_key || ':' || hidden_user_id
where source_key like 'comments:%' and hidden_user_id is not null;
