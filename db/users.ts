// Users: creation, lookups by id and by login name, password hash upgrades.
import type { ISql } from 'postgres'

/** The case-insensitive identity of a name or address: NFC, then Unicode lower case. */
export function identityKey (text: string): string {
  return text.normalize('NFC').toLowerCase()
}

export type UserRow = {
  id: string
  username: string
  nickname: string
  email: string | null
  schoolId: string | null
  admissionYear: number | null
  createdAt: Date
}

export type NewUser = {
  username: string
  nickname: string
  email: string | null
  passwordHash: string
  admissionYear: number | null
}

export async function isUsernameOrEmailTaken (sql: ISql, username: string, email: string | null): Promise<boolean> {
  // email_key = null is never true, so a signup without an email checks the username only.
  const [row] = await sql`
    select exists (
      select 1 from users
      where username_key = ${identityKey(username)} or email_key = ${email === null ? null : identityKey(email)}
    ) as taken`
  return row?.taken === true
}

/** Inserts the user, or returns undefined when the username or email is already taken. */
export async function insertUser (sql: ISql, user: NewUser): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    insert into users (username, username_key, nickname, nickname_key, email, email_key, password_hash, admission_year)
    values (${user.username}, ${identityKey(user.username)}, ${user.nickname}, ${identityKey(user.nickname)}, ${user.email},
            ${user.email === null ? null : identityKey(user.email)}, ${user.passwordHash}, ${user.admissionYear})
    on conflict do nothing
    returning id, username, nickname, email, school_id, admission_year, created_at`
  return row
}

export async function findUserById (sql: ISql, id: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    select id, username, nickname, email, school_id, admission_year, created_at
    from users where id = ${id}`
  return row
}

export type Credentials = { id: string, username: string, usernameKey: string, passwordHash: string }

export async function findCredentials (sql: ISql, login: { username?: string, email?: string }): Promise<Credentials | undefined> {
  const [row] = login.username !== undefined
    ? await sql<Credentials[]>`select id, username, username_key, password_hash from users where username_key = ${identityKey(login.username)}`
    : await sql<Credentials[]>`select id, username, username_key, password_hash from users where email_key = ${identityKey(login.email ?? '')}`
  return row
}

export async function updatePasswordHash (sql: ISql, id: string, passwordHash: string): Promise<void> {
  await sql`update users set password_hash = ${passwordHash}, updated_at = now() where id = ${id}`
}
