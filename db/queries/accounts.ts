import { and, count, eq, gt, max } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { loginAttempts, sessions, users } from '../schema/index.ts'

export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase()
}

export type User = typeof users.$inferSelect
/** A user as shown to others: never the email or password hash. */
export type PublicUser = Pick<User, 'id' | 'name' | 'color'>

export async function findUserByEmail(db: Database, email: string): Promise<User | null> {
	const [user] = await db.select().from(users).where(eq(users.email, normalizeEmail(email)))
	return user ?? null
}

/** Creates a user, or returns null when the email is taken (checked by the unique index, not a race-prone read). */
export async function createUser(
	db: Database,
	input: { email: string; name: string; passwordHash: string; color: string },
): Promise<User | null> {
	const [user] = await db
		.insert(users)
		.values({ ...input, email: normalizeEmail(input.email), name: input.name.trim() })
		.onConflictDoNothing({ target: users.email })
		.returning()
	return user ?? null
}

export async function createSession(db: Database, input: { userId: string; tokenHash: string; expiresAt: Date }) {
	await db.insert(sessions).values(input)
}

export async function findSessionUser(db: Database, tokenHash: string): Promise<User | null> {
	const [row] = await db
		.select({ user: users })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, new Date())))
	return row?.user ?? null
}

export async function deleteSession(db: Database, tokenHash: string) {
	await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash))
}

/**
 * Records an attempt before the password is checked, so that parallel
 * guesses count against each other (the limiter reads these rows); the row
 * is marked succeeded once the password matches.
 */
export async function recordLoginAttempt(db: Database, attempt: { email: string; address: string }): Promise<number> {
	const [row] = await db
		.insert(loginAttempts)
		.values({ ...attempt, email: normalizeEmail(attempt.email), succeeded: false })
		.returning({ id: loginAttempts.id })
	if (!row) throw new Error('insert into login_attempts returned no row')
	return row.id
}

export async function markLoginSucceeded(db: Database, attemptId: number) {
	await db.update(loginAttempts).set({ succeeded: true }).where(eq(loginAttempts.id, attemptId))
}

/**
 * Failed attempts within the window. For an account they count from its most
 * recent success (logging in clears an account's count, as users expect);
 * for an address they do not, or one valid account would let an address
 * spray guesses at every other.
 */
export async function recentFailures(
	db: Database,
	by: { email: string } | { address: string },
	since: Date,
): Promise<number> {
	let from = since
	if ('email' in by) {
		const [last] = await db
			.select({ at: max(loginAttempts.at) })
			.from(loginAttempts)
			.where(and(eq(loginAttempts.email, normalizeEmail(by.email)), eq(loginAttempts.succeeded, true), gt(loginAttempts.at, since)))
		if (last?.at && last.at > since) from = last.at
	}
	const key = 'email' in by ? eq(loginAttempts.email, normalizeEmail(by.email)) : eq(loginAttempts.address, by.address)
	const [row] = await db
		.select({ n: count() })
		.from(loginAttempts)
		.where(and(key, eq(loginAttempts.succeeded, false), gt(loginAttempts.at, from)))
	return row?.n ?? 0
}
