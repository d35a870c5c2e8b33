import { createHash, randomBytes } from 'node:crypto'
import { createCookie } from '@remix-run/node'

export const sessionDays = 30

/**
 * The session cookie, shared by the Remix routes (which set and clear it)
 * and the collaboration endpoint (which reads it at the WebSocket upgrade).
 * It holds a random token; the database holds only its hash. httpOnly so
 * page scripts cannot read it; SameSite=Lax so other sites' forms do not
 * carry it (state changes also need the app's own Origin, server/origin.ts).
 */
export const sessionCookie = createCookie('scholion_session', {
	httpOnly: true,
	sameSite: 'lax',
	path: '/',
	maxAge: sessionDays * 24 * 60 * 60,
})

/** The session token in a Cookie header, or null. */
export async function sessionTokenFrom(cookieHeader: string | null | undefined): Promise<string | null> {
	const value: unknown = await sessionCookie.parse(cookieHeader ?? null)
	return typeof value === 'string' && value.length > 0 ? value : null
}

/** 256 random bits, URL-safe: session cookies and invite links. */
export function randomToken(): string {
	return randomBytes(32).toString('base64url')
}

/** Tokens are stored only as their SHA-256, so a database dump grants nothing. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex')
}
