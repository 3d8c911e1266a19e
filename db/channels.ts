// The channels of the change log by which instances keep their in-memory state fresh. Every
// change is announced by triggers in the database (migrations 003, 009, 010 and 012, which
// migration 013 moved from NOTIFY to the change_log table: NOTIFY made every announcing commit
// wait for the one before it), never by the code that changes a row: a new route, a cascade or
// an operator's UPDATE cannot forget to announce. The code only reads (db/change-log.ts); these
// names are its half of that agreement.

/** `posts:<author id>`, `follows:<follower id>` or `truncated` (plugins/feed-cache.ts). */
export const FEED_CHANGED_CHANNEL = 'feed_changed'

/** `<user id>`: an account's cached fields changed or it was deleted (plugins/account-cache.ts). */
export const USER_CHANGED_CHANNEL = 'user_changed'

/** `<session id>,<session id>,…`: sessions just revoked (plugins/revocations.ts). */
export const SESSION_REVOKED_CHANNEL = 'session_revoked'

/** `board:<id>`, `post:<id>`, `conversations:<user id>`, `catalog`, `lecture:<id>`, `timetable:<id>` (comma-separated) or `all` (plugins/page-cache.ts). */
export const PAGES_CHANGED_CHANNEL = 'pages_changed'
