-- GET /schools lists the newest schools first, as the contract has every list do unless the
-- route says otherwise (its row does not); it listed them in name order, over the unique
-- name_key index, which stays for uniqueness and ?q=.
create index schools_page_idx on schools (created_at desc, id desc);
