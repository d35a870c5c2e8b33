import type { AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import {
	createUser,
	findUserByEmail,
	markLoginSucceeded,
	normalizeEmail,
	recentFailures,
	recordLoginAttempt,
	type User,
} from '#db/queries/accounts.ts'
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

export type AuthResult = { ok: true; user: User } | { ok: false; status: number; errors: FieldErrors }

export async function signUp(context: AppLoadContext, form: FormData): Promise<AuthResult> {
	const parsed = signupSchema.safeParse(Object.fromEntries(form))
	if (!parsed.success) return { ok: false, status: 400, errors: fieldErrors(parsed.error) }
	const { email, name, password } = parsed.data
	const user = await createUser(context.db, {
		email,
		name,
		passwordHash: await hashPassword(password),
		color: colorForUser(normalizeEmail(email)),
	})
	if (!user) {
		return { ok: false, status: 400, errors: { email: 'An account with this email already exists. Log in instead.' } }
	}
	return { ok: true, user }
}

/** Failed logins allowed per window: per account (guessing one password) and per address (spraying many accounts). */
export const loginLimits = { windowMinutes: 15, perAccount: 5, perAddress: 20 } as const

export async function logIn(context: AppLoadContext, form: FormData): Promise<AuthResult> {
	const parsed = loginSchema.safeParse(Object.fromEntries(form))
	if (!parsed.success) return { ok: false, status: 400, errors: fieldErrors(parsed.error) }
	const { email, password } = parsed.data
	const address = context.clientAddress
	// The attempt is written first and then counted with the others, so that a
	// burst of parallel guesses cannot all slip under the limit together.
	const attemptId = await recordLoginAttempt(context.db, { email, address })
	const since = new Date(Date.now() - loginLimits.windowMinutes * 60 * 1000)
	const [accountFailures, addressFailures] = await Promise.all([
		recentFailures(context.db, { email }, since),
		recentFailures(context.db, { address }, since),
	])
	if (accountFailures > loginLimits.perAccount || addressFailures > loginLimits.perAddress) {
		return {
			ok: false,
			status: 429,
			errors: {
				form: `Too many failed login attempts. Wait ${loginLimits.windowMinutes} minutes and try again.`,
			},
		}
	}
	const user = await findUserByEmail(context.db, email)
	const valid = await verifyPassword(user?.passwordHash ?? null, password)
	if (!user || !valid) {
		// One message for both cases: the login form does not confirm which emails have accounts.
		return { ok: false, status: 400, errors: { form: 'That email and password do not match an account.' } }
	}
	await markLoginSucceeded(context.db, attemptId)
	return { ok: true, user }
}
