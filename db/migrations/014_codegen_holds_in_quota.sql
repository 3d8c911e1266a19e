-- A code assistant call's held unit moves into the user's quota row (008 kept holds in a
-- table of their own).
--
-- Why: counting holds in another table needed three statements per hold, in one transaction
-- (create the quota row, lock it, then count with a snapshot taken after the lock), and three
-- more to store an answer: six round trips to PostgreSQL for every call, most of the service's
-- own time per call. With the holds in the row that is locked, one INSERT … ON CONFLICT DO
-- UPDATE takes a unit (its WHERE judges the latest version of the row, after any concurrent
-- holder has committed), and one statement stores the answer.
--
-- `holds` maps a hold's id to the epoch second at which it stops counting (the call's timeout
-- and a margin): a process that dies mid-call leaves its hold behind, and it expires, so no
-- unit is lost for good. Expired holds are dropped whenever the row is next written.
alter table codegen_quota add column holds jsonb not null default '{}';

update codegen_quota q set holds = coalesce((
  select jsonb_object_agg(h.id, extract(epoch from h.expires_at))
  from codegen_holds h
  where h.user_id = q.user_id and h.day = q.day and h.expires_at > now()), '{}');

drop table codegen_holds;
