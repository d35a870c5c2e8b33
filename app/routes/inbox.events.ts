import type { LoaderFunctionArgs } from '@remix-run/node'
import { getUser } from '#app/utils/session.server.ts'

/**
 * The signed-in user's unread count as a Server-Sent Events stream, for the
 * header's inbox link on every page: one `unread` event at once and one
 * whenever the count changes (across processes through Redis, see
 * server/notifications/live.ts). Signed out, a 204 tells EventSource to stop
 * reconnecting. The wire format is one `event:`/`data:` pair per message
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html), which
 * the browser's EventSource parses.
 */

const heartbeatMs = 25_000

export async function loader({ request, context }: LoaderFunctionArgs) {
	const user = await getUser(request, context)
	if (!user) return new Response(null, { status: 204 })
	const notifications = context.notifications
	const encoder = new TextEncoder()
	let stop = () => {}
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			let closed = false
			let last = -1
			let queue = Promise.resolve()
			const write = (chunk: string) => {
				if (!closed) controller.enqueue(encoder.encode(chunk))
			}
			// Counts are read one at a time, so two changes in a row never arrive out of order.
			const sendCount = () => {
				queue = queue
					.then(async () => {
						const unread = await notifications.unreadCount(user.id)
						if (unread !== last) {
							last = unread
							write(`event: unread\ndata: ${JSON.stringify({ unread })}\n\n`)
						}
					})
					.catch((error) => console.error('[inbox/events] reading the unread count failed:', error))
			}
			const unsubscribe = notifications.feed.subscribe(user.id, sendCount)
			// A comment line now and then keeps proxies from closing an idle stream.
			const heartbeat = setInterval(() => write(': keep-alive\n\n'), heartbeatMs)
			heartbeat.unref()
			stop = () => {
				if (closed) return
				closed = true
				unsubscribe()
				clearInterval(heartbeat)
				try {
					controller.close()
				} catch {
					// Already closed by the reader going away.
				}
			}
			request.signal.addEventListener('abort', stop, { once: true })
			write('retry: 5000\n\n')
			sendCount()
		},
		cancel() {
			stop()
		},
	})
	return new Response(stream, {
		headers: {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-store',
			Connection: 'keep-alive',
			'X-Accel-Buffering': 'no',
		},
	})
}
