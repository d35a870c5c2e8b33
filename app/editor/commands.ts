import {
	baseKeymap,
	chainCommands,
	exitCode,
	lift,
	setBlockType,
	toggleMark,
	wrapIn,
} from 'prosemirror-commands'
import type { MarkType, NodeType } from 'prosemirror-model'
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list'
import type { Command, EditorState } from 'prosemirror-state'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { safeHref } from './safe-url.ts'
import { schema } from './schema.ts'

/**
 * The editor's commands, shaped `(state, dispatch?) => boolean` so that the
 * toolbar can ask whether one applies (no dispatch) before running it.
 * Undo and redo are y-prosemirror's: they undo this user's own changes only,
 * never a collaborator's.
 */

/** The schema's node type `name`; a missing one is a programmer error. */
export function nodeType(name: string): NodeType {
	const type = schema.nodes[name]
	if (!type) throw new RangeError(`The schema has no node type ${name}`)
	return type
}

/** The schema's mark type `name`; a missing one is a programmer error. */
export function markType(name: string): MarkType {
	const type = schema.marks[name]
	if (!type) throw new RangeError(`The schema has no mark type ${name}`)
	return type
}

const strong = markType('strong')
const em = markType('em')
const code = markType('code')
const link = markType('link')
const paragraph = nodeType('paragraph')
const heading = nodeType('heading')
const blockquote = nodeType('blockquote')
const bulletList = nodeType('bullet_list')
const orderedList = nodeType('ordered_list')
const listItem = nodeType('list_item')
const hardBreak = nodeType('hard_break')

export const toggleStrong: Command = toggleMark(strong)
export const toggleEm: Command = toggleMark(em)
export const toggleCode: Command = toggleMark(code)
export const undo: Command = undoCommand
export const redo: Command = redoCommand

/** Makes the selected blocks plain paragraphs. */
export const setParagraph: Command = setBlockType(paragraph)

/** Makes the selected blocks headings of `level`, or paragraphs again if they already are. */
export function toggleHeading(level: number): Command {
	if (!Number.isInteger(level) || level < 1 || level > 6) throw new RangeError(`Heading level ${level} is not 1–6`)
	return (state, dispatch) =>
		isBlockActive(state, heading, { level })
			? setBlockType(paragraph)(state, dispatch)
			: setBlockType(heading, { level })(state, dispatch)
}

/**
 * Puts the selection in a list of `listType`: wraps it if it is in no list,
 * changes the list's kind if it is in the other kind, and lifts it out if it
 * is already in this kind (so the button toggles).
 */
export function toggleList(listType: NodeType): Command {
	return (state, dispatch) => {
		const list = enclosingList(state)
		if (!list) return wrapInList(listType)(state, dispatch)
		if (list.node.type === listType) return liftListItem(listItem)(state, dispatch)
		if (dispatch) dispatch(state.tr.setNodeMarkup(list.pos, listType).scrollIntoView())
		return true
	}
}

export const toggleBulletList: Command = toggleList(bulletList)
export const toggleOrderedList: Command = toggleList(orderedList)

/** Wraps the selection in a quotation, or lifts it out of the one it is in. */
export const toggleBlockquote: Command = (state, dispatch) =>
	isWrappedIn(state, blockquote) ? lift(state, dispatch) : wrapIn(blockquote)(state, dispatch)

/** Links the selected text to `href`; applies only to a non-empty selection. */
export function setLink(href: string): Command {
	return (state, dispatch) => {
		const { from, to, empty } = state.selection
		const safe = safeHref(href)
		if (empty || safe === null) return false
		if (dispatch) dispatch(state.tr.removeMark(from, to, link).addMark(from, to, link.create({ href: safe })).scrollIntoView())
		return true
	}
}

/** Removes the link from the selection, or from the whole link the cursor is in. */
export const removeLink: Command = (state, dispatch) => {
	const range = linkRange(state)
	if (!range) return false
	if (dispatch) dispatch(state.tr.removeMark(range.from, range.to, link))
	return true
}

/** The link targets the schema accepts (see safe-url.ts), for the link form's own check. */
export { isSafeHref } from './safe-url.ts'

/** Whether `type` applies to the selection: in the stored marks at a cursor, anywhere in a range. */
export function isMarkActive(state: EditorState, type: MarkType): boolean {
	const { from, to, empty, $from } = state.selection
	if (empty) return Boolean(type.isInSet(state.storedMarks ?? $from.marks()))
	return state.doc.rangeHasMark(from, to, type)
}

/** Whether the selection's textblock is of `type` (and has `attrs`, when given). */
export function isBlockActive(state: EditorState, type: NodeType, attrs?: Record<string, unknown>): boolean {
	const { $from, to } = state.selection
	const parent = $from.parent
	if (to > $from.end()) return false
	if (parent.type !== type) return false
	return !attrs || Object.entries(attrs).every(([key, value]) => parent.attrs[key] === value)
}

/** Whether the selection sits inside a node of `type`. */
export function isWrappedIn(state: EditorState, type: NodeType): boolean {
	const { $from } = state.selection
	for (let depth = $from.depth; depth > 0; depth--) if ($from.node(depth).type === type) return true
	return false
}

/** Whether the nearest list around the selection is of `type`. */
export function isInList(state: EditorState, type: NodeType): boolean {
	return enclosingList(state)?.node.type === type
}

function enclosingList(state: EditorState) {
	const { $from } = state.selection
	for (let depth = $from.depth; depth > 0; depth--) {
		const node = $from.node(depth)
		if (node.type === bulletList || node.type === orderedList) return { node, pos: $from.before(depth) }
	}
	return null
}

/** The extent of the link at the cursor, or the selection when it holds a link. */
function linkRange(state: EditorState): { from: number; to: number } | null {
	const { from, to, empty, $from } = state.selection
	if (!empty) return state.doc.rangeHasMark(from, to, link) ? { from, to } : null
	const mark = link.isInSet($from.marks())
	if (!mark) return null
	// Widen to the run of text around the cursor that carries this very link.
	const start = $from.start()
	let run: { from: number; to: number } | null = null
	let found: { from: number; to: number } | null = null
	const close = () => {
		if (run && !found && run.from <= from && from <= run.to) found = run
		run = null
	}
	$from.parent.forEach((child, offset) => {
		const childFrom = start + offset
		if (!mark.isInSet(child.marks)) return close()
		run = run ? { from: run.from, to: childFrom + child.nodeSize } : { from: childFrom, to: childFrom + child.nodeSize }
	})
	close()
	return found
}

export const isLinkActive = (state: EditorState): boolean => linkRange(state) !== null

/** What the keymap needs from outside the editor: moving to the toolbar, asking for a link's address. */
export interface KeymapHooks {
	focusToolbar(): void
	requestLink(): void
}

const insertHardBreak: Command = chainCommands(exitCode, (state, dispatch) => {
	if (dispatch) dispatch(state.tr.replaceSelectionWith(hardBreak.create()).scrollIntoView())
	return true
})

/**
 * The editor's own keys, bound before prosemirror-commands' baseKeymap.
 * Tab only indents list items: elsewhere it returns false and moves focus
 * out of the editor as usual, so the keyboard is never trapped.
 */
export function editorKeymap(hooks: KeymapHooks): Record<string, Command> {
	return {
		'Mod-b': toggleStrong,
		'Mod-i': toggleEm,
		'Mod-`': toggleCode,
		'Mod-k': (state) => {
			if (state.selection.empty && !isLinkActive(state)) return false
			hooks.requestLink()
			return true
		},
		'Mod-z': undo,
		'Mod-y': redo,
		'Mod-Shift-z': redo,
		'Mod-Alt-0': setParagraph,
		'Mod-Alt-1': toggleHeading(1),
		'Mod-Alt-2': toggleHeading(2),
		'Mod-Alt-3': toggleHeading(3),
		'Mod-Shift-7': toggleOrderedList,
		'Mod-Shift-8': toggleBulletList,
		'Mod-Shift-9': toggleBlockquote,
		'Shift-Enter': insertHardBreak,
		'Mod-Enter': insertHardBreak,
		Enter: splitListItem(listItem),
		Tab: sinkListItem(listItem),
		'Shift-Tab': liftListItem(listItem),
		// The usual key to reach an editor's toolbar (TinyMCE, CKEditor, Google Docs' Alt+/ aside).
		'Alt-F10': () => {
			hooks.focusToolbar()
			return true
		},
	}
}

export { baseKeymap }
