import { useLocation } from '@remix-run/react'
import { useEffect } from 'react'

/** Blocks whose text PlainTextIndex joins with a blank line (app/editor/plain-text.ts), as the read view and the editor draw them. */
const textblocks = 'p, h1, h2, h3, h4, h5, h6, pre'
const highlightName = 'scholion-jump'
/** How long the live editor may take to replace the first paint before we stop waiting for it. */
const waitForEditorMs = 15_000

/**
 * Opens the document page at `?at=<offset>` (a code point offset into the
 * document's plain text, as the dashboards' density strip links): scrolls
 * the place into view and marks it, first in the server-rendered text and
 * again once the live editor has replaced it. Rendered by the document
 * route (a hook, like useLinkedAnnotation); it touches no editor state and writes nothing to the DOM it walks
 * (the mark is a CSS Custom Highlight, which lives outside the DOM).
 */
export function useJumpToOffset() {
	const { search } = useLocation()
	useEffect(() => {
		const raw = new URLSearchParams(search).get('at')
		if (raw === null || !/^\d{1,9}$/.test(raw)) return
		const offset = Number(raw)
		const jumped = new WeakSet<Element>()
		const jump = () => {
			const root = document.querySelector('.editor-main .ProseMirror') ?? document.querySelector('.editor-main .document, .live-document .document')
			if (!root || jumped.has(root)) return
			const range = rangeAt(root, offset)
			if (!range) return
			jumped.add(root)
			const rect = range.getBoundingClientRect()
			window.scrollTo({ top: Math.max(0, rect.top + window.scrollY - window.innerHeight / 3) })
			const registry = (globalThis.CSS as unknown as { highlights?: Map<string, unknown> } | undefined)?.highlights
			const HighlightClass = (globalThis as unknown as { Highlight?: new (...ranges: Range[]) => unknown }).Highlight
			// Its colour is app/styles.css's ::highlight(scholion-jump) rule.
			if (registry && HighlightClass) registry.set(highlightName, new HighlightClass(range))
			document.documentElement.dataset.jumpedTo = String(offset)
		}
		jump()
		const observer = new MutationObserver(jump)
		observer.observe(document.querySelector('main') ?? document.body, { childList: true, subtree: true })
		const stop = setTimeout(() => observer.disconnect(), waitForEditorMs)
		return () => {
			observer.disconnect()
			clearTimeout(stop)
		}
	}, [search])
}

/** A range over the word at code point `offset` of the text under `root`, counted as PlainTextIndex counts it. */
function rangeAt(root: Element, offset: number): Range | null {
	let count = 0
	const blocks = [...root.querySelectorAll(textblocks)].filter((block) => !block.parentElement?.closest(textblocks))
	for (const [i, block] of blocks.entries()) {
		if (i > 0) count += 2 // the blank line between blocks
		const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, {
			acceptNode: (node) =>
				// Collaborators' cursor labels and other widgets are not the document's text.
				node instanceof Element && node.getAttribute('contenteditable') === 'false' ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
		})
		for (let node = walker.nextNode(); node; node = walker.nextNode()) {
			if (node instanceof HTMLBRElement) {
				if (!node.classList.contains('ProseMirror-trailingBreak')) count += 1
				continue
			}
			if (node.nodeType !== Node.TEXT_NODE) continue
			const text = node.textContent ?? ''
			const points = Array.from(text)
			if (count + points.length > offset) {
				const start = points.slice(0, offset - count).join('').length
				const word = /^\S*/.exec(text.slice(start))?.[0] ?? ''
				const range = document.createRange()
				range.setStart(node, start)
				range.setEnd(node, start + Math.max(1, word.length))
				return range
			}
			count += points.length
		}
	}
	return null
}
