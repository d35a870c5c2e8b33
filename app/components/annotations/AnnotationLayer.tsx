import * as decoding from 'lib0/decoding'
import { memo, useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type { EditorView } from 'prosemirror-view'
import type { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { AnnotationStore, highlightsOf, type Thread } from '#app/annotations/client.ts'
import type { AnnotationEvent } from '#app/annotations/types.ts'
import { AnchorContext, anchorToJSON, type Anchor } from '#app/editor/anchoring.ts'
import { focusHighlight, highlightRange, highlightsKey, setHighlights } from '#app/editor/highlights.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { AnnotationPanel } from './AnnotationPanel.tsx'
import './annotations.css'
import { Composer, type ComposerValues } from './Composer.tsx'
import type { Viewer } from './ThreadCard.tsx'

/** Message type of annotation events on the document socket (server/collab/protocol.ts). */
const messageAnnotations = 102

/** What the layer needs of the live editor session. */
export interface AnnotationHost {
	doc: Y.Doc
	provider: WebsocketProvider
	view: EditorView | null
	subscribe(listener: () => void): () => void
	/** Set by the layer: what a click on a highlight does. */
	highlightActivated: ((annotationId: string) => void) | null
}

/** True for the shortcut that starts an annotation: Ctrl+Alt+M (⌘⌥M), as comments in Google Docs. */
export function isAnnotateShortcut(event: KeyboardEvent | React.KeyboardEvent): boolean {
	return (event.ctrlKey || event.metaKey) && event.altKey && (event.key === 'm' || event.key === 'M' || event.code === 'KeyM')
}

/**
 * Annotations on the live document: highlights in the text, the margin of
 * threads, and annotating the current selection (button or Ctrl+Alt+M).
 */
export const AnnotationLayer = memo(function AnnotationLayer({
	host,
	documentId,
	viewer,
}: {
	host: AnnotationHost
	documentId: string
	viewer: Viewer
}) {
	const store = useMemo(() => new AnnotationStore(documentId), [documentId])
	const snapshot = useSyncExternalStore(store.subscribe.bind(store), () => store.snapshot, () => store.snapshot)
	const view = useSyncExternalStore(host.subscribe, () => host.view, () => null)
	const [focusedId, setFocusedId] = useState<string | null>(null)
	const [shown, setShown] = useState<Thread[]>([])
	const [draft, setDraft] = useState<{ anchor: Anchor } | null>(null)
	const [busy, setBusy] = useState(false)
	const [error, setError] = useState<string | null>(null)
	const [notice, setNotice] = useState<string | null>(null)

	// Live events, and a full reload whenever the socket (re)connects so nothing missed while away is lost.
	useEffect(() => {
		host.provider.messageHandlers[messageAnnotations] = (_encoder, decoder) => {
			store.apply(JSON.parse(decoding.readVarString(decoder)) as AnnotationEvent)
		}
		const reload = (synced: boolean) => {
			if (synced) store.load().catch((e: unknown) => setNotice(`Annotations could not be loaded: ${String(e)}`))
		}
		host.provider.on('sync', reload)
		store.load().catch((e: unknown) => setNotice(`Annotations could not be loaded: ${String(e)}`))
		return () => {
			host.provider.off('sync', reload)
			host.provider.messageHandlers[messageAnnotations] = () => {}
		}
	}, [host, store])

	const focusThread = useCallback(
		(id: string, from: 'text' | 'margin') => {
			setFocusedId(id)
			if (view && !view.isDestroyed) focusHighlight(view, id)
			if (from === 'text') {
				const card = document.querySelector<HTMLElement>(`[data-thread-id="${CSS.escape(id)}"]`)
				card?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
				card?.querySelector<HTMLElement>('.thread-quote')?.focus({ preventScroll: true })
			} else if (view) {
				const range = highlightRange(view.state, id)
				if (range) {
					const { node } = view.domAtPos(range.from)
					const element = node instanceof HTMLElement ? node : node.parentElement
					element?.scrollIntoView({ block: 'center', behavior: 'smooth' })
				}
			}
		},
		[view],
	)

	// The margin follows the reading position: as the text scrolls, the threads list scrolls
	// (inside its own box, never moving the page) to the first thread whose highlight is in view,
	// so the threads beside the text are the ones about it.
	useEffect(() => {
		let frame = 0
		const follow = () => {
			frame = 0
			const list = document.querySelector<HTMLElement>('.annotation-panel .threads-scroll')
			if (!list || list.matches(':hover, :focus-within')) return
			const highlights = document.querySelectorAll<HTMLElement>('.ProseMirror .annotation-highlight')
			for (const highlight of highlights) {
				if (highlight.getBoundingClientRect().bottom < 80) continue
				const id = highlight.getAttribute('data-annotation-id')
				const card = id ? list.querySelector<HTMLElement>(`[data-thread-id="${CSS.escape(id)}"]`) : null
				if (card) list.scrollTop = card.offsetTop - list.offsetTop
				return
			}
		}
		const onScroll = () => {
			if (!frame) frame = requestAnimationFrame(follow)
		}
		window.addEventListener('scroll', onScroll, { passive: true })
		return () => {
			window.removeEventListener('scroll', onScroll)
			if (frame) cancelAnimationFrame(frame)
		}
	}, [])

	// The highlight plugin is part of the editor from its creation; clicks on highlights come here.
	useEffect(() => {
		host.highlightActivated = (id) => focusThread(id, 'text')
		return () => {
			host.highlightActivated = null
		}
	}, [host, focusThread])

	useEffect(() => {
		if (view && !view.isDestroyed && highlightsKey.getState(view.state)) setHighlights(view, highlightsOf(shown))
	}, [view, shown])

	const startAnnotation = useCallback(() => {
		setNotice(null)
		setError(null)
		if (!view) return
		const { from, to, empty } = view.state.selection
		if (empty) {
			setNotice('Select the words you want to annotate first.')
			return
		}
		try {
			const context = new AnchorContext(host.doc, host.doc.getXmlFragment(documentFragmentName), view.state.doc)
			setDraft({ anchor: context.describe(from, to) })
		} catch {
			setNotice('Select text within one or more paragraphs.')
		}
	}, [view, host])

	// Ctrl+Alt+M anywhere on the page starts an annotation on the selection.
	useEffect(() => {
		if (!viewer.canWrite) return
		const onKey = (event: KeyboardEvent) => {
			if (!isAnnotateShortcut(event)) return
			event.preventDefault()
			startAnnotation()
		}
		window.addEventListener('keydown', onKey)
		return () => window.removeEventListener('keydown', onKey)
	}, [viewer.canWrite, startAnnotation])

	async function create(values: ComposerValues) {
		if (!draft) return
		setBusy(true)
		setError(null)
		const result = await store.send({
			intent: 'create',
			motivation: values.motivation,
			body: values.body,
			tags: values.tags,
			status: values.draft ? 'draft' : 'submitted',
			anchor: anchorToJSON(draft.anchor),
		})
		setBusy(false)
		if (!result.ok) {
			setError(result.error)
			return
		}
		setDraft(null)
		if (result.annotation) focusThread(result.annotation.id, 'text')
		view?.focus()
	}

	async function reanchor(id: string, useSuggestion: boolean) {
		if (!view) return
		setNotice(null)
		const context = new AnchorContext(host.doc, host.doc.getXmlFragment(documentFragmentName), view.state.doc)
		let from = view.state.selection.from
		let to = view.state.selection.to
		if (useSuggestion) {
			const suggestion = store.snapshot.byId.get(id)?.anchor?.suggestion
			if (!suggestion) return
			from = context.index.positionOfOffset(context.index.utf16Offset(suggestion.startOffset))
			to = context.index.positionOfOffset(context.index.utf16Offset(suggestion.endOffset))
		} else if (view.state.selection.empty) {
			setNotice('Select the words to anchor the annotation to, then choose “Anchor to the selected text”.')
			return
		}
		try {
			const result = await store.send({ intent: 'reanchor', id, anchor: anchorToJSON(context.describe(from, to)) })
			if (!result.ok) setNotice(result.error)
		} catch {
			setNotice('Select text within one or more paragraphs.')
		}
	}

	return (
		<div className="annotation-layer">
			{viewer.canWrite ? (
				<div className="annotate-bar">
					<button type="button" onClick={startAnnotation} aria-keyshortcuts="Control+Alt+M" disabled={!view}>
						Annotate selection
					</button>
					<span className="muted small">Ctrl+Alt+M</span>
				</div>
			) : null}
			{notice ? (
				<p className="notice" role="status">
					{notice}
				</p>
			) : null}
			{draft ? (
				<section className="thread new-annotation" aria-label="New annotation">
					<Composer
						quote={draft.anchor.quote.exact}
						submitLabel="Save annotation"
						busy={busy}
						error={error}
						onCancel={() => {
							setDraft(null)
							view?.focus()
						}}
						onSubmit={(values) => void create(values)}
					/>
				</section>
			) : null}
			<AnnotationPanel
				snapshot={snapshot}
				store={store}
				viewer={viewer}
				focusedId={focusedId}
				onFocus={(id) => focusThread(id, 'margin')}
				onReanchor={(id, useSuggestion) => void reanchor(id, useSuggestion)}
				onFiltered={setShown}
			/>
		</div>
	)
})
