import type { Database } from '#db/client.ts'
import { forgetSignupAttempt, hasLoggedInFrom, recentFailures, recordSignupAttempt } from '#db/queries/accounts.ts'

/**
 * How login and sign-up are limited, so that guessing is slow and nobody can
 * lock someone else out (OWASP Authentication Cheat Sheet, "Login
 * Throttling"; "Account Lockout" describes the lock-out a stranger could
 * otherwise trigger):
 *
 * 1. An account and an address together: the first `freeFailures` wrong
 *    passwords cost nothing; after that each attempt waits `firstDelaySeconds`,
 *    doubling with every further failure up to `maxDelaySeconds`, counted from
 *    the pair's last failure. Only the guesser waits: the owner at another
 *    address has no failures of their own there.
 * 2. An account from everywhere: once it has `accountFailures` failures since
 *    its last login, addresses it has never been logged into from may try it
 *    only once every `unknownAddressSpacingSeconds` between them (a botnet
 *    spread over many addresses). An address the owner has logged in from
 *    before is never slowed by this; a new one at most by those seconds.
 * 3. An address: past `addressFailures` failures in `addressWindowMinutes`
 *    across all accounts (spraying one password at many accounts), it is
 *    refused until the oldest leaves the window, except for accounts that
 *    have been logged into from it before (people sharing the address).
 *
 * A refused attempt is not checked and not counted, so retrying after
 * Retry-After is checked; a successful login clears rules 1 and 2.
 */
export const loginLimits = {
	freeFailures: 3,
	firstDelaySeconds: 2,
	maxDelaySeconds: 15 * 60,
	/** How far back rules 1 and 2 look. */
	windowHours: 24,
	accountFailures: 20,
	unknownAddressSpacingSeconds: 10,
	addressFailures: 30,
	addressWindowMinutes: 15,
} as const

/** Sign-ups (that passed the form's checks) one address may make per window. */
export const signupLimits = { perAddress: 20, windowMinutes: 60 } as const

export type LimitVerdict = { refused: false } | { refused: true; retryAfterSeconds: number }

/** The wait rule 1 imposes after `failures` failures of one account at one address, in seconds. */
export function delayAfterFailures(failures: number): number {
	if (failures < loginLimits.freeFailures) return 0
	const doublings = failures - loginLimits.freeFailures
	// 2 ** doublings overflows nothing that matters here: the cap is reached by 10 doublings.
	return Math.min(loginLimits.maxDelaySeconds, loginLimits.firstDelaySeconds * 2 ** Math.min(doublings, 30))
}

/** Seconds from now until `at + seconds`, at least 1 (Retry-After is in whole seconds). */
function secondsUntil(at: Date, seconds: number, now: number): number {
	return Math.max(1, Math.ceil((at.getTime() + seconds * 1000 - now) / 1000))
}

/**
 * Whether the login attempt already recorded as `attemptId` (at `at`) may
 * have its password checked. Counts only attempts recorded before it and
 * measures waits to its own recorded time, so that of a parallel burst only
 * as many are checked as the rules allow, however the queries interleave.
 */
export async function checkLoginLimits(
	db: Database,
	attempt: { email: string; address: string; attemptId: number; at: Date },
): Promise<LimitVerdict> {
	const { email, address, attemptId } = attempt
	const now = attempt.at.getTime()
	const since = new Date(now - loginLimits.windowHours * 60 * 60 * 1000)
	const known = await hasLoggedInFrom(db, { email, address })

	const pair = await recentFailures(db, { email, address }, { since, beforeId: attemptId, sinceSuccess: true })
	const delay = delayAfterFailures(pair.count)
	if (delay > 0 && pair.last && now < pair.last.getTime() + delay * 1000) {
		return { refused: true, retryAfterSeconds: secondsUntil(pair.last, delay, now) }
	}

	if (!known) {
		const account = await recentFailures(db, { email }, { since, beforeId: attemptId, sinceSuccess: true })
		const spacing = loginLimits.unknownAddressSpacingSeconds
		if (account.count >= loginLimits.accountFailures && account.last && now < account.last.getTime() + spacing * 1000) {
			return { refused: true, retryAfterSeconds: secondsUntil(account.last, spacing, now) }
		}

		const addressSince = new Date(now - loginLimits.addressWindowMinutes * 60 * 1000)
		const fromAddress = await recentFailures(db, { address }, { since: addressSince, beforeId: attemptId, sinceSuccess: false })
		if (fromAddress.count >= loginLimits.addressFailures && fromAddress.first) {
			return { refused: true, retryAfterSeconds: secondsUntil(fromAddress.first, loginLimits.addressWindowMinutes * 60, now) }
		}
	}
	return { refused: false }
}

/** Records a sign-up from `address` and answers whether it is within the address's limit (a refused one is not kept). */
export async function checkSignupLimit(db: Database, address: string): Promise<LimitVerdict> {
	const now = Date.now()
	const windowSeconds = signupLimits.windowMinutes * 60
	const recorded = await recordSignupAttempt(db, address, new Date(now - windowSeconds * 1000))
	if (recorded.count <= signupLimits.perAddress) return { refused: false }
	await forgetSignupAttempt(db, recorded.id)
	return { refused: true, retryAfterSeconds: secondsUntil(recorded.first, windowSeconds, now) }
}
