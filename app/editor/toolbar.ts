import type { Command, EditorState } from 'prosemirror-state'
import {
	isBlockActive,
	isInList,
	isLinkActive,
	isMarkActive,
	isWrappedIn,
	markType,
	nodeType,
	redo,
	removeLink,
	setParagraph,
	toggleBlockquote,
	toggleBulletList,
	toggleCode,
	toggleEm,
	toggleHeading,
	toggleOrderedList,
	toggleStrong,
	undo,
} from './commands.ts'

/** A key combination in ProseMirror's notation: modifiers, then the key. `Mod` is Cmd on a Mac, Ctrl elsewhere. */
type Shortcut = readonly string[]

export interface ToolbarItem {
	/** Stable identifier; `link` is special: it asks for an address before applying. */
	key: string
	/** What the button does, in words (its accessible name, with the shortcut). */
	label: string
	/** What the button shows: a short sign, hidden from assistive technology. */
	glyph: string
	shortcut: Shortcut
	/** Starts a new cluster of buttons (drawn with a gap). */
	startsGroup?: boolean
	command: Command
	/** For toggles: whether the button is pressed now (aria-pressed). Absent for plain actions. */
	active?: (state: EditorState) => boolean
	/** Whether the button applies now; defaults to asking `command` without dispatching. */
	enabled?: (state: EditorState) => boolean
}

const strong = markType('strong')
const em = markType('em')
const code = markType('code')
const heading = nodeType('heading')
const paragraph = nodeType('paragraph')
const bulletList = nodeType('bullet_list')
const orderedList = nodeType('ordered_list')
const blockquote = nodeType('blockquote')

/** The toolbar, in order. Keyboard shortcuts match commands.ts `editorKeymap`. */
export const toolbarItems: readonly ToolbarItem[] = [
	{ key: 'strong', label: 'Bold', glyph: 'B', shortcut: ['Mod', 'B'], command: toggleStrong, active: (s) => isMarkActive(s, strong) },
	{ key: 'em', label: 'Italic', glyph: 'I', shortcut: ['Mod', 'I'], command: toggleEm, active: (s) => isMarkActive(s, em) },
	{ key: 'code', label: 'Code', glyph: '</>', shortcut: ['Mod', '`'], command: toggleCode, active: (s) => isMarkActive(s, code) },
	{
		key: 'link',
		label: 'Link',
		glyph: 'Link',
		shortcut: ['Mod', 'K'],
		command: removeLink,
		active: isLinkActive,
		enabled: (s) => isLinkActive(s) || !s.selection.empty,
	},
	{
		key: 'paragraph',
		label: 'Normal text',
		glyph: '¶',
		shortcut: ['Mod', 'Alt', '0'],
		startsGroup: true,
		command: setParagraph,
		active: (s) => isBlockActive(s, paragraph),
	},
	...[1, 2, 3].map(
		(level): ToolbarItem => ({
			key: `heading-${level}`,
			label: `Heading ${level}`,
			glyph: `H${level}`,
			shortcut: ['Mod', 'Alt', String(level)],
			command: toggleHeading(level),
			active: (s) => isBlockActive(s, heading, { level }),
		}),
	),
	{ key: 'bullet-list', label: 'Bulleted list', glyph: '•', shortcut: ['Mod', 'Shift', '8'], command: toggleBulletList, active: (s) => isInList(s, bulletList) },
	{ key: 'ordered-list', label: 'Numbered list', glyph: '1.', shortcut: ['Mod', 'Shift', '7'], command: toggleOrderedList, active: (s) => isInList(s, orderedList) },
	{ key: 'blockquote', label: 'Quotation', glyph: '“', shortcut: ['Mod', 'Shift', '9'], command: toggleBlockquote, active: (s) => isWrappedIn(s, blockquote) },
	{ key: 'undo', label: 'Undo', glyph: '↶', shortcut: ['Mod', 'Z'], startsGroup: true, command: undo },
	{ key: 'redo', label: 'Redo', glyph: '↷', shortcut: ['Mod', 'Shift', 'Z'], command: redo },
]

/** Whether a toolbar item applies to the current state. */
export function isItemEnabled(item: ToolbarItem, state: EditorState): boolean {
	return item.enabled ? item.enabled(state) : item.command(state)
}

const macNames: Record<string, string> = { Mod: '⌘', Alt: '⌥', Shift: '⇧' }
const otherNames: Record<string, string> = { Mod: 'Ctrl', Alt: 'Alt', Shift: 'Shift' }

/**
 * A shortcut as people read it ("Ctrl+Shift+Z", "⌘⇧Z") and in the
 * aria-keyshortcuts notation ("Control+Shift+Z", "Meta+Shift+Z").
 */
export function describeShortcut(shortcut: Shortcut, mac: boolean): { text: string; aria: string } {
	const names = mac ? macNames : otherNames
	const text = shortcut.map((part) => names[part] ?? part).join(mac ? '' : '+')
	const aria = shortcut.map((part) => (part === 'Mod' ? (mac ? 'Meta' : 'Control') : part)).join('+')
	return { text, aria }
}
