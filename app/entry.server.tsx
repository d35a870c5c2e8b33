import { PassThrough } from 'node:stream'
import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { NonceContext } from './utils/nonce.ts'

/** A render still streaming after this long is cut off (deferred data that never settles). */
const abortDelayMs = 5_000

/**
 * Remix's document render, as its default Node entry does it, plus the
 * request's Content-Security-Policy nonce (server/security-headers.ts) on
 * every inline script: React's own (streamed Suspense boundaries), Remix's
 * streamed data (RemixServer) and root.tsx's <Scripts> and
 * <ScrollRestoration> (through NonceContext).
 */
export default function handleRequest(
	request: Request,
	responseStatusCode: number,
	responseHeaders: Headers,
	remixContext: EntryContext,
	loadContext: AppLoadContext,
) {
	const nonce = loadContext.cspNonce
	// Crawlers get the whole page at once; browsers get the shell as soon as it is ready.
	const waitForAll = isbot(request.headers.get('user-agent') ?? '') || remixContext.isSpaMode
	return new Promise<Response>((resolve, reject) => {
		let shellRendered = false
		const ready = () => {
			shellRendered = true
			const body = new PassThrough()
			responseHeaders.set('Content-Type', 'text/html')
			resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }))
			pipe(body)
		}
		const { pipe, abort } = renderToPipeableStream(
			<NonceContext.Provider value={nonce}>
				<RemixServer context={remixContext} url={request.url} abortDelay={abortDelayMs} nonce={nonce} />
			</NonceContext.Provider>,
			{
				nonce,
				...(waitForAll ? { onAllReady: ready } : { onShellReady: ready }),
				onShellError: reject,
				onError(error: unknown) {
					responseStatusCode = 500
					// Errors before the shell reject and are logged by Remix; later ones only here.
					if (shellRendered) console.error('[render]', error)
				},
			},
		)
		setTimeout(abort, abortDelayMs)
	})
}
