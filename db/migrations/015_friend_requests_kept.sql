-- An accepted friend request is kept (accepted_at set) instead of deleted, until the friendship
-- ends.
--
-- Why: a client whose accept got no answer (a lost response, a timeout) sends it again. With
-- the row gone, that retry was 404 NOT_FOUND although the acceptance had happened; with the
-- row kept, the retry is 200 "friends" as the first one, and the sender's attempt is still 403.
-- Unfriending deletes every request between the two, accepted ones included, so a later
-- request starts afresh. Pending means accepted_at is null: the lists and their indexes say so.
alter table friend_requests add column accepted_at timestamptz;

drop index friend_requests_recipient_idx;
drop index friend_requests_requester_idx;
create index friend_requests_recipient_idx on friend_requests (recipient_id, created_at desc) where accepted_at is null;
create index friend_requests_requester_idx on friend_requests (requester_id, created_at desc) where accepted_at is null;
