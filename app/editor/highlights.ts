import { fromBase64 } from 'lib0/buffer'
import { Plugin, PluginKey, type EditorState } from 'prosemirror-state'
import { Decoration, DecorationSet, type EditorView } from 'prosemirror-view'
import { relativePositionToAbsolutePosition, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'

/**
 * Annotation highlights as ProseMirror decorations (never marks: marks would
 * live in the shared text, where any writer could change them). Each
 * highlight is placed from the anchor's Yjs relative positions through
 * y-prosemirror's own mapping, so every client shows the server's placement
 * on its own copy of the text.
 *
 * Placing thousands of anchors on every keystroke would lag, so local edits
 * only map the existing decorations through the transaction; a full
 * re-placement runs when the set of highlights changes and shortly after
 * remote changes arrive.
 */

export interface Highlight {
	id: string
	/** Base64 Y.encodeRelativePosition of the start and end. */
	start: string
	end: string
	/** CSS class naming the highlight's kind, such as `motivation-questioning`. */
	className: string
}

interface HighlightState {
	highlights: readonly Highlight[]
	focusedId: string | null
	decorations: DecorationSet
	/** Set by changes from other clients, whose mapping is not to be trusted; cleared by re-placing. */
	stale: boolean
}

type Meta = { highlights?: readonly Highlight[]; focusedId?: string | null; replace?: true }

export const highlightsKey = new PluginKey<HighlightState>('scholion-highlights')

/** Replaces the highlights shown (call whenever the annotations or their anchors change). */
export function setHighlights(view: EditorView, highlights: readonly Highlight[]) {
	view.dispatch(view.state.tr.setMeta(highlightsKey, { highlights } satisfies Meta))
}

/** Marks one annotation's highlight as focused (its thread is open), or none. */
export function focusHighlight(view: EditorView, focusedId: string | null) {
	view.dispatch(view.state.tr.setMeta(highlightsKey, { focusedId } satisfies Meta))
}

/** The ProseMirror range of a highlight as currently shown, or null. */
export function highlightRange(state: EditorState, id: string): { from: number; to: number } | null {
	const found = highlightsKey.getState(state)?.decorations.find(undefined, undefined, (spec) => spec.id === id)
	const first = found?.[0]
	return first ? { from: first.from, to: first.to } : null
}

export function highlightsPlugin(options: { onActivate: (id: string) => void }): Plugin<HighlightState> {
	return new Plugin<HighlightState>({
		key: highlightsKey,
		state: {
			init: () => ({ highlights: [], focusedId: null, decorations: DecorationSet.empty, stale: false }),
			apply(tr, value, _old, state) {
				const meta = tr.getMeta(highlightsKey) as Meta | undefined
				if (meta) {
					const highlights = meta.highlights ?? value.highlights
					const focusedId = meta.focusedId !== undefined ? meta.focusedId : value.focusedId
					return { highlights, focusedId, decorations: place(state, highlights, focusedId), stale: false }
				}
				if (!tr.docChanged) return value
				const remote = Boolean(tr.getMeta(ySyncPluginKey)?.isChangeOrigin)
				return { ...value, decorations: value.decorations.map(tr.mapping, tr.doc), stale: value.stale || remote }
			},
		},
		props: {
			decorations: (state) => highlightsKey.getState(state)?.decorations,
			handleClick(view, _pos, event) {
				const target = (event.target as HTMLElement | null)?.closest?.('[data-annotation-id]')
				const id = target?.getAttribute('data-annotation-id')
				if (!id) return false
				options.onActivate(id)
				return false
			},
		},
		view(view) {
			let timer: ReturnType<typeof setTimeout> | null = null
			return {
				update() {
					// Remote changes replace content wholesale; re-place soon after they settle.
					if (timer || !highlightsKey.getState(view.state)?.stale) return
					timer = setTimeout(() => {
						timer = null
						if (!view.isDestroyed) view.dispatch(view.state.tr.setMeta(highlightsKey, {} satisfies Meta))
					}, 60)
				},
				destroy() {
					if (timer) clearTimeout(timer)
				},
			}
		},
	})
}

function place(state: EditorState, highlights: readonly Highlight[], focusedId: string | null): DecorationSet {
	const sync = ySyncPluginKey.getState(state) as
		| { doc: Y.Doc; type: Y.XmlFragment; binding: { mapping: Map<unknown, unknown> } }
		| undefined
	if (!sync?.binding) return DecorationSet.empty
	const decorations: Decoration[] = []
	for (const highlight of highlights) {
		const from = resolve(sync, highlight.start)
		const to = resolve(sync, highlight.end)
		if (from === null || to === null || to <= from || to > state.doc.content.size) continue
		decorations.push(
			Decoration.inline(
				from,
				to,
				{
					class: `annotation-highlight ${highlight.className}${highlight.id === focusedId ? ' is-focused' : ''}`,
					'data-annotation-id': highlight.id,
				},
				{ id: highlight.id, inclusiveStart: false, inclusiveEnd: false },
			),
		)
	}
	return DecorationSet.create(state.doc, decorations)
}

function resolve(
	sync: { doc: Y.Doc; type: Y.XmlFragment; binding: { mapping: Map<unknown, unknown> } },
	encoded: string,
): number | null {
	try {
		const position = Y.decodeRelativePosition(fromBase64(encoded))
		return relativePositionToAbsolutePosition(sync.doc, sync.type, position, sync.binding.mapping as never)
	} catch {
		return null
	}
}
