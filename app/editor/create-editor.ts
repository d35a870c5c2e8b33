import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { keymap } from 'prosemirror-keymap'
import { EditorState, type Plugin } from 'prosemirror-state'
import { EditorView, type NodeView } from 'prosemirror-view'
import { yCursorPlugin, ySyncPlugin, yUndoPlugin } from 'y-prosemirror'
import type { Awareness } from 'y-protocols/awareness'
import type * as Y from 'yjs'
import { baseKeymap, editorKeymap, type KeymapHooks } from './commands.ts'
import { drawableRemoteState, guardedCursorPlugin } from './remote-cursor.ts'
import { schema } from './schema.ts'

export interface CreateEditorOptions {
	/** The document's Y.XmlFragment (`documentFragmentName`), already synced. */
	fragment: Y.XmlFragment
	awareness: Awareness
	/** Asked on every update: the server's latest word on whether this user may write. */
	canWrite(): boolean
	hooks: KeymapHooks
	/** Called after every transaction with the new state, for the toolbar. */
	onStateChange(state: EditorState): void
	/** Id of the element that explains the keyboard (aria-describedby). */
	describedBy?: string
	/**
	 * The name a collaborator's caret shows for the name their presence carries:
	 * a steward's legend turns a pseudonymous room's "Reviewer 2" into the person.
	 */
	nameOf?(shown: string): string
	/**
	 * More plugins (annotation highlights). They must be given here: adding plugins later
	 * with reconfigure() recreates every plugin view, and yUndoPlugin's view destroys its
	 * UndoManager when it goes, which silently breaks undo.
	 */
	plugins?: Plugin<any>[]
}

/**
 * The live editor: a ProseMirror view bound to the Yjs fragment (ySyncPlugin),
 * showing collaborators' cursors (yCursorPlugin, ignoring any it cannot
 * draw: remote-cursor.ts) and undoing only this
 * user's changes (yUndoPlugin). The view is created detached; the caller
 * puts `view.dom` in the page. Call `view.setProps({})` after `canWrite`
 * changes so that editability and the ARIA attributes follow.
 */
export function createEditor(options: CreateEditorOptions): EditorView {
	const state = EditorState.create({
		schema,
		plugins: [
			ySyncPlugin(options.fragment),
			guardedCursorPlugin(
				yCursorPlugin(options.awareness, {
					awarenessStateFilter: drawableRemoteState(options.fragment),
					cursorBuilder: (user: { name?: unknown; color?: unknown }) => remoteCursor(user, options.nameOf),
					selectionBuilder: remoteSelection,
				}),
			),
			yUndoPlugin(),
			keymap(editorKeymap(options.hooks)),
			keymap(baseKeymap),
			...(options.plugins ?? []),
		],
	})
	return new EditorView(null, {
		state,
		editable: () => options.canWrite(),
		attributes: () => ({
			// `document` keeps the read view's styles (and what tests and readers already know).
			class: 'document',
			role: 'textbox',
			'aria-multiline': 'true',
			'aria-label': 'Document text',
			'aria-readonly': options.canWrite() ? 'false' : 'true',
			// The keyboard hint is only shown to those who may edit.
			...(options.describedBy && options.canWrite() ? { 'aria-describedby': options.describedBy } : {}),
		}),
		nodeViews: { heading: headingView },
		// `this`, not a variable holding the view: ySyncPlugin dispatches while the view is being constructed.
		dispatchTransaction(this: EditorView, transaction) {
			// A plugin's late callback (a timer, an awareness change) after the view was destroyed, when
			// the session was replaced: there is no state to update any more.
			if (this.isDestroyed) return
			this.updateState(this.state.apply(transaction))
			options.onStateChange(this.state)
		},
	})
}

/** Headings one level down, as in the read view: the page's own <h1> is the document's title. */
function headingView(node: ProseMirrorNode): NodeView {
	const level = Math.min(6, Number(node.attrs.level) + 1)
	const dom = document.createElement(`h${level}`)
	// No `update`: ProseMirror then rebuilds the view when the level changes (sameMarkup fails).
	return { dom, contentDOM: dom }
}

const fallbackColor = '#57606a'

function colorOf(user: { color?: unknown }): string {
	return typeof user.color === 'string' && /^#[0-9a-f]{6}$/i.test(user.color) ? user.color : fallbackColor
}

/**
 * A collaborator's caret with their name above it. Hidden from assistive
 * technology: inside the text it would be read as words of the document;
 * the "Who is here" list says the same thing in its proper place.
 */
function remoteCursor(user: { name?: unknown; color?: unknown }, nameOf: (shown: string) => string = (shown) => shown): HTMLElement {
	const color = colorOf(user)
	const cursor = document.createElement('span')
	cursor.className = 'ProseMirror-yjs-cursor'
	cursor.style.borderColor = color
	cursor.setAttribute('aria-hidden', 'true')
	const label = document.createElement('span')
	label.className = 'ProseMirror-yjs-cursor-label'
	label.style.backgroundColor = color
	label.textContent = typeof user.name === 'string' && user.name ? nameOf(user.name) : 'Someone'
	// Word joiners keep the caret from becoming a line-break opportunity (as y-prosemirror's own builder does).
	cursor.append('\u2060', label, '\u2060')
	return cursor
}

/** A collaborator's selection: their colour, light enough for the text on it to keep its contrast. */
function remoteSelection(user: { color?: unknown }) {
	return { class: 'ProseMirror-yjs-selection', style: `background-color: ${colorOf(user)}2e` }
}
