import { useLocation } from '@remix-run/react'
import { useEffect } from 'react'

const linked = /^#annotation-([0-9a-f-]{36})$/i

/**
 * Focuses the thread an address names (`#annotation-<id>`, as search results
 * link) once the margin shows it: its "show in the text" button is pressed
 * (the thread is marked focused and its words scrolled into view) and keeps
 * the keyboard focus. The margin appears after the live document loads, so
 * this waits for the card, giving up after a while.
 */
export function useLinkedAnnotation() {
	const { hash } = useLocation()
	useEffect(() => {
		const id = linked.exec(hash)?.[1]
		if (!id) return
		const focus = () => {
			const card = document.querySelector<HTMLElement>(`[data-thread-id="${CSS.escape(id)}"]`)
			const button = card?.querySelector<HTMLButtonElement>('.thread-quote')
			if (!card || !button) return false
			button.click()
			button.focus({ preventScroll: true })
			card.scrollIntoView({ block: 'nearest' })
			return true
		}
		if (focus()) return
		const observer = new MutationObserver(() => {
			if (focus()) stop()
		})
		const timeout = setTimeout(() => stop(), 20_000)
		const stop = () => {
			observer.disconnect()
			clearTimeout(timeout)
		}
		observer.observe(document.body, { childList: true, subtree: true })
		return stop
	}, [hash])
}
