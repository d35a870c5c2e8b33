import { redirect, type AppLoadContext } from '@remix-run/node'
import { sessionCookie, sessionDays, sessionTokenFrom } from '#server/session-cookie.ts'
import {
	createSession,
	deleteSession,
	findSessionUser,
	type User,
} from '#db/queries/accounts.ts'
import { hashToken, randomToken } from './crypto.server.ts'

export function readSessionToken(request: Request): Promise<string | null> {
	return sessionTokenFrom(request.headers.get('Cookie'))
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
		expiresAt: new Date(Date.now() + sessionDays * 24 * 60 * 60 * 1000),
	})
	return redirect(redirectTo, {
		headers: { 'Set-Cookie': await sessionCookie.serialize(token, { secure: context.secureCookies }) },
	})
}

/**
 * The same answer as startSession's (redirect, a cookie of the same form)
 * whose token belongs to no session: a sign-up with an email that already
 * has an account must not look different from one that made it.
 */
export async function startNoSession(context: AppLoadContext, redirectTo: string): Promise<Response> {
	return redirect(redirectTo, {
		headers: { 'Set-Cookie': await sessionCookie.serialize(randomToken(), { secure: context.secureCookies }) },
	})
}

export async function endSession(request: Request, context: AppLoadContext, redirectTo = '/'): Promise<Response> {
	const token = await readSessionToken(request)
	if (token) {
		const tokenHash = hashToken(token)
		await deleteSession(context.db, tokenHash)
		// Open editors of this session lose their sockets at once, not at their next reconnect.
		context.access.sessionEnded(tokenHash)
	}
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
	// Control characters too: browsers drop tabs and newlines from a URL, so `/\t/evil.example` would become `//evil.example`.
	if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\') || /[\u0000-\u001f\u007f]/.test(to)) return fallback
	return to
}
