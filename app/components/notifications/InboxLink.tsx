import { Link } from '@remix-run/react'
import { useEffect, useState } from 'react'
import './notifications.css'

/**
 * The header's link to the inbox with the unread count, kept live by the
 * /inbox/events stream (Server-Sent Events) once the page has hydrated;
 * without JavaScript it shows the count of the last page load.
 */
export function InboxLink({ unread: initial }: { unread: number }) {
	const [unread, setUnread] = useState(initial)
	// A navigation (or an action such as "mark all as read") brings a fresh count from the loader.
	useEffect(() => setUnread(initial), [initial])
	useEffect(() => {
		if (typeof EventSource === 'undefined') return
		const source = new EventSource('/inbox/events')
		const onUnread = (event: MessageEvent<string>) => {
			const data = JSON.parse(event.data) as { unread?: unknown }
			if (typeof data.unread === 'number') setUnread(data.unread)
		}
		source.addEventListener('unread', onUnread)
		return () => {
			source.removeEventListener('unread', onUnread)
			source.close()
		}
	}, [])
	const shown = unread > 99 ? '99+' : String(unread)
	return (
		<Link to="/inbox" className="inbox-link" data-unread={unread}>
			Inbox
			{unread > 0 ? (
				<span className="unread-count">
					{shown}
					<span className="sr-only"> unread</span>
				</span>
			) : null}
		</Link>
	)
}
