-- GET /lectures lists the newest lectures first, as the contract has every list do unless the
-- route says otherwise (its row does not). It listed them in code order, over these indexes.
drop index lectures_school_semester_page_idx;
drop index lectures_semester_page_idx;
drop index lectures_page_idx;
create index lectures_school_semester_page_idx on lectures (school_id, semester, created_at desc, id desc);
create index lectures_semester_page_idx on lectures (semester, created_at desc, id desc);
create index lectures_page_idx on lectures (created_at desc, id desc);
