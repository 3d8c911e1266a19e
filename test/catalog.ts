// A school's lecture catalog made through the real API, for the timetable tests.
import type { FastifyInstance } from 'fastify'
import { createUser, type TestUser } from './accounts.js'

export type SlotSpec = { day: string, start: string, end: string, room?: string }
export type LectureSpec = { code?: string, title?: string, professor?: string, credits?: number, semester?: string, slots: SlotSpec[] }

let counter = 0

export class Catalog {
  private constructor (readonly app: FastifyInstance, readonly admin: TestUser, readonly schoolId: string) {}

  /** An admin (the app must list `adminName` in ADMIN_USERNAMES) and a new school. */
  static async open (app: FastifyInstance, adminName: string): Promise<Catalog> {
    return await Catalog.school(app, await createUser(app, { username: adminName }))
  }

  /** Another school, by the same admin. */
  async anotherSchool (): Promise<Catalog> {
    return await Catalog.school(this.app, this.admin)
  }

  private static async school (app: FastifyInstance, admin: TestUser): Promise<Catalog> {
    const res = await app.inject({ method: 'POST', url: '/schools', headers: admin.auth, payload: { name: `학교 ${process.pid}-${++counter}` } })
    if (res.statusCode !== 201) throw new Error(`school: ${res.statusCode} ${res.body}`)
    return new Catalog(app, admin, res.json().id)
  }

  async lecture (spec: LectureSpec, schoolId: string = this.schoolId): Promise<{ id: string, code: string, title: string }> {
    const res = await this.app.inject({
      method: 'POST',
      url: '/lectures',
      headers: this.admin.auth,
      payload: {
        schoolId,
        code: spec.code ?? `L${++counter}`,
        title: spec.title ?? '강의',
        professor: spec.professor ?? '김교수',
        credits: spec.credits ?? 3,
        semester: spec.semester ?? '2026-1',
        slots: spec.slots
      }
    })
    if (res.statusCode !== 201) throw new Error(`lecture: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  async timetable (user: TestUser, semester = '2026-1', name = `표 ${++counter}`): Promise<string> {
    const res = await this.app.inject({ method: 'POST', url: '/timetables', headers: user.auth, payload: { semester, name } })
    if (res.statusCode !== 201) throw new Error(`timetable: ${res.statusCode} ${res.body}`)
    return res.json().id
  }

  async add (user: TestUser, timetableId: string, lectureId: string) {
    return await this.app.inject({ method: 'PUT', url: `/timetables/${timetableId}/lectures/${lectureId}`, headers: user.auth })
  }
}
