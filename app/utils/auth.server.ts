import type { AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import {
	createUser,
	findUserByEmail,
	forgetLoginAttempt,
	markLoginSucceeded,
	normalizeEmail,
	recordLoginAttempt,
	type User,
} from '#db/queries/accounts.ts'
import { checkLoginLimits, checkSignupLimit } from './account-limits.server.ts'
import { colorForUser } from './colors.ts'
import { fieldErrors, type FieldErrors } from './forms.ts'
import { hashPassword, verifyPassword } from './password.server.ts'

export const signupSchema = z.object({
	email: z.string({ required_error: 'Enter your email address.' }).trim().email('Enter an email address like name@example.org.'),
	name: z
		.string({ required_error: 'Enter the name others will see.' })
		.trim()
		.min(1, 'Enter the name others will see.')
		.max(80, 'Keep your name under 80 characters.'),
	password: z
		.string({ required_error: 'Choose a password.' })
		.min(8, 'Use at least 8 characters for your password.')
		.max(200, 'Use at most 200 characters for your password.'),
})

export const loginSchema = z.object({
	email: z.string({ required_error: 'Enter your email address.' }).trim().min(1, 'Enter your email address.'),
	password: z.string({ required_error: 'Enter your password.' }).min(1, 'Enter your password.'),
})

/** Refused by a rate limit: 429 with the seconds to wait (the Retry-After header). */
export type Throttled = { ok: false; status: 429; errors: FieldErrors; retryAfterSeconds: number }
type Invalid = { ok: false; status: 400; errors: FieldErrors }

export type AuthResult = { ok: true; user: User } | Invalid | Throttled

/**
 * A sign-up that passed the form's checks. `user` is null when the email
 * already had an account: nothing was created, its owner was told by email,
 * and the answer must look exactly like a successful sign-up's, so that the
 * form does not tell a stranger which emails are registered.
 */
export type SignupResult = { ok: true; user: User | null } | Invalid | Throttled

function throttled(retryAfterSeconds: number, what: string): Throttled {
	const wait =
		retryAfterSeconds === 1 ? '1 second' : retryAfterSeconds < 120 ? `${retryAfterSeconds} seconds` : `${Math.ceil(retryAfterSeconds / 60)} minutes`
	return { ok: false, status: 429, retryAfterSeconds, errors: { form: `Too many ${what} from here. Wait ${wait} and try again.` } }
}

export async function signUp(context: AppLoadContext, form: FormData): Promise<SignupResult> {
	const parsed = signupSchema.safeParse(Object.fromEntries(form))
	if (!parsed.success) return { ok: false, status: 400, errors: fieldErrors(parsed.error) }
	const limit = await checkSignupLimit(context.db, context.clientAddress)
	if (limit.refused) return throttled(limit.retryAfterSeconds, 'sign-ups')
	const { email, name, password } = parsed.data
	// Hashed whether or not the email is taken, so both answers take as long.
	const user = await createUser(context.db, {
		email,
		name,
		passwordHash: await hashPassword(password),
		color: colorForUser(normalizeEmail(email)),
	})
	if (!user) {
		const owner = await findUserByEmail(context.db, email)
		if (owner) await context.notifications.signupWithExistingEmail(owner, context.appOrigin)
	}
	return { ok: true, user }
}

export async function logIn(context: AppLoadContext, form: FormData): Promise<AuthResult> {
	const parsed = loginSchema.safeParse(Object.fromEntries(form))
	if (!parsed.success) return { ok: false, status: 400, errors: fieldErrors(parsed.error) }
	const { email, password } = parsed.data
	const address = context.clientAddress
	// The attempt is written first and the limits count only those before it,
	// so that a burst of parallel guesses cannot all slip under them together.
	const attempt = await recordLoginAttempt(context.db, { email, address })
	const limit = await checkLoginLimits(context.db, { email, address, attemptId: attempt.id, at: attempt.at })
	if (limit.refused) {
		await forgetLoginAttempt(context.db, attempt.id)
		return throttled(limit.retryAfterSeconds, 'failed logins')
	}
	const user = await findUserByEmail(context.db, email)
	const valid = await verifyPassword(user?.passwordHash ?? null, password)
	if (!user || !valid) {
		// One message for both cases: the login form does not confirm which emails have accounts.
		return { ok: false, status: 400, errors: { form: 'That email and password do not match an account.' } }
	}
	await markLoginSucceeded(context.db, attempt.id)
	return { ok: true, user }
}
