import { createCookie, redirect, type AppLoadContext } from '@remix-run/node'
import {
	createSession,
	deleteSession,
	findSessionUser,
	type User,
} from '#db/queries/accounts.ts'
import { hashToken, randomToken } from './crypto.server.ts'

const SESSION_DAYS = 30

/**
 * The session cookie holds a random token; the database holds its hash.
 * httpOnly so page scripts cannot read it, SameSite=Lax so other sites'
 * forms do not carry it (CSRF is also refused by the Origin check in server/).
 */
const sessionCookie = createCookie('scholion_session', {
	httpOnly: true,
	sameSite: 'lax',
	path: '/',
	maxAge: SESSION_DAYS * 24 * 60 * 60,
})

export async function readSessionToken(request: Request): Promise<string | null> {
	const value: unknown = await sessionCookie.parse(request.headers.get('Cookie'))
	return typeof value === 'string' && value.length > 0 ? value : null
}

export async function getUser(request: Request, context: AppLoadContext): Promise<User | null> {
	const token = await readSessionToken(request)
	if (!token) return null
	return findSessionUser(context.db, hashToken(token))
}

/** The signed-in user, or a redirect to the login page that comes back here afterwards. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<User> {
	const user = await getUser(request, context)
	if (user) return user
	const url = new URL(request.url)
	const params = new URLSearchParams({ redirectTo: url.pathname + url.search })
	throw redirect(`/login?${params}`)
}

/** Starts a session and redirects with its cookie set. */
export async function startSession(context: AppLoadContext, userId: string, redirectTo: string): Promise<Response> {
	const token = randomToken()
	await createSession(context.db, {
		userId,
		tokenHash: hashToken(token),
		expiresAt: new Date(Date.now() + SESSION_DAYS * 24 * 60 * 60 * 1000),
	})
	return redirect(redirectTo, {
		headers: { 'Set-Cookie': await sessionCookie.serialize(token, { secure: context.secureCookies }) },
	})
}

export async function endSession(request: Request, context: AppLoadContext, redirectTo = '/'): Promise<Response> {
	const token = await readSessionToken(request)
	if (token) await deleteSession(context.db, hashToken(token))
	return redirect(redirectTo, {
		headers: {
			'Set-Cookie': await sessionCookie.serialize('', { maxAge: 0, secure: context.secureCookies }),
		},
	})
}

/**
 * Where to go after login: only a path on this site, so a crafted
 * `redirectTo=https://evil.example` cannot turn login into an open redirect.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
	if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback
	return to
}
