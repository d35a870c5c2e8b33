import { and, count, eq, gt, lt, max, min } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { loginAttempts, sessions, signupAttempts, users } from '../schema/index.ts'

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
 * is marked succeeded once the password matches, or deleted if the limiter
 * refused it unchecked. The time is the app's clock, which the limiter
 * compares it with.
 */
export async function recordLoginAttempt(
	db: Database,
	attempt: { email: string; address: string },
): Promise<{ id: number; at: Date }> {
	const at = new Date()
	const [row] = await db
		.insert(loginAttempts)
		.values({ ...attempt, email: normalizeEmail(attempt.email), succeeded: false, at })
		.returning({ id: loginAttempts.id })
	if (!row) throw new Error('insert into login_attempts returned no row')
	return { id: row.id, at }
}

export async function markLoginSucceeded(db: Database, attemptId: number) {
	await db.update(loginAttempts).set({ succeeded: true }).where(eq(loginAttempts.id, attemptId))
}

/** A refused attempt never reached the password check, so it is not a failure to count. */
export async function forgetLoginAttempt(db: Database, attemptId: number) {
	await db.delete(loginAttempts).where(eq(loginAttempts.id, attemptId))
}

/** Whether this account has ever been logged into from this address. */
export async function hasLoggedInFrom(db: Database, by: { email: string; address: string }): Promise<boolean> {
	const [row] = await db
		.select({ id: loginAttempts.id })
		.from(loginAttempts)
		.where(
			and(eq(loginAttempts.email, normalizeEmail(by.email)), eq(loginAttempts.address, by.address), eq(loginAttempts.succeeded, true)),
		)
		.limit(1)
	return row !== undefined
}

export interface FailureSummary {
	count: number
	first: Date | null
	last: Date | null
}

/**
 * Failed attempts recorded before attempt `beforeId` within the window, for
 * an account, an address, or the two together. With `sinceSuccess`, only
 * those after the key's latest success count (logging in clears an
 * account's count, as users expect); an address's count is never cleared,
 * or one valid account would let it spray guesses at every other.
 */
export async function recentFailures(
	db: Database,
	by: { email?: string; address?: string },
	options: { since: Date; beforeId: number; sinceSuccess: boolean },
): Promise<FailureSummary> {
	const keys = [
		by.email === undefined ? undefined : eq(loginAttempts.email, normalizeEmail(by.email)),
		by.address === undefined ? undefined : eq(loginAttempts.address, by.address),
	]
	let from = options.since
	if (options.sinceSuccess) {
		const [last] = await db
			.select({ at: max(loginAttempts.at) })
			.from(loginAttempts)
			.where(and(...keys, eq(loginAttempts.succeeded, true), gt(loginAttempts.at, options.since)))
		if (last?.at && last.at > from) from = last.at
	}
	const [row] = await db
		.select({ n: count(), first: min(loginAttempts.at), last: max(loginAttempts.at) })
		.from(loginAttempts)
		.where(and(...keys, eq(loginAttempts.succeeded, false), gt(loginAttempts.at, from), lt(loginAttempts.id, options.beforeId)))
	return { count: row?.n ?? 0, first: row?.first ?? null, last: row?.last ?? null }
}

/**
 * Records a sign-up from this address and answers how many (this one
 * included) it made since `since`, and when the first of them was. Written
 * before counting, so that a parallel burst cannot slip under the limit.
 */
export async function recordSignupAttempt(
	db: Database,
	address: string,
	since: Date,
): Promise<{ id: number; count: number; first: Date }> {
	const now = new Date()
	const [inserted] = await db.insert(signupAttempts).values({ address, at: now }).returning({ id: signupAttempts.id })
	if (!inserted) throw new Error('insert into signup_attempts returned no row')
	const [row] = await db
		.select({ n: count(), first: min(signupAttempts.at) })
		.from(signupAttempts)
		.where(and(eq(signupAttempts.address, address), gt(signupAttempts.at, since)))
	return { id: inserted.id, count: row?.n ?? 1, first: row?.first ?? now }
}

/** A refused sign-up created nothing, so it does not count against the address. */
export async function forgetSignupAttempt(db: Database, id: number) {
	await db.delete(signupAttempts).where(eq(signupAttempts.id, id))
}
