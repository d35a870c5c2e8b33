/**
 * A cookie-keeping HTTP client that behaves like a browser with JavaScript
 * off: plain form posts with the Origin header, redirects not followed so
 * tests can see them. For tests of the no-JavaScript paths and of the
 * server's refusals.
 */
export class FormClient {
	private cookies = new Map<string, string>()

	constructor(readonly baseUrl: string) {}

	get cookieHeader(): string {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
	}

	cookie(name: string): string | undefined {
		return this.cookies.get(name)
	}

	async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
		return this.request(path, { method: 'GET', headers })
	}

	/** Posts fields as application/x-www-form-urlencoded, as a plain HTML form does. */
	async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
		return this.request(path, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(this.baseUrl).origin, ...headers },
			body: new URLSearchParams(fields).toString(),
		})
	}

	/** Posts a multipart form (file uploads). */
	async postMultipart(path: string, form: FormData, headers: Record<string, string> = {}): Promise<Response> {
		return this.request(path, {
			method: 'POST',
			headers: { Origin: new URL(this.baseUrl).origin, ...headers },
			body: form,
		})
	}

	async request(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
		const headers: Record<string, string> = { ...init.headers }
		if (this.cookies.size > 0 && !('Cookie' in headers)) headers.Cookie = this.cookieHeader
		const response = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: 'manual' })
		for (const line of response.headers.getSetCookie()) {
			const [pair = '', ...attributes] = line.split(';')
			const index = pair.indexOf('=')
			const name = pair.slice(0, index).trim()
			const value = pair.slice(index + 1).trim()
			const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === ''
			if (expired) this.cookies.delete(name)
			else this.cookies.set(name, value)
		}
		return response
	}
}

/** Signs up a new account through the real form and returns a client holding its session. */
export async function signUp(
	baseUrl: string,
	account: { email: string; name: string; password?: string },
): Promise<FormClient> {
	const client = new FormClient(baseUrl)
	const response = await client.post('/signup', {
		email: account.email,
		name: account.name,
		password: account.password ?? 'correct horse battery',
	})
	if (response.status !== 302) {
		throw new Error(`sign-up of ${account.email} failed with ${response.status}: ${await response.text()}`)
	}
	return client
}
