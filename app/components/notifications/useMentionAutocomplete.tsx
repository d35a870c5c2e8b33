import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react'
import { mentionMarkdown, pseudonymMentionMarkdown } from '#app/markdown/mentions.ts'
import { matchMembers, mentionQueryAt, type MemberOption } from './member-search.ts'

/** Each document's members, fetched once per page (the composer opens and closes often). */
const membersByDocument = new Map<string, Promise<MemberOption[]>>()

function loadMembers(documentId: string): Promise<MemberOption[]> {
	let pending = membersByDocument.get(documentId)
	if (!pending) {
		pending = fetch(`/documents/${encodeURIComponent(documentId)}/members`, { headers: { Accept: 'application/json' } })
			.then(async (response) => (response.ok ? ((await response.json()) as { members: MemberOption[] }).members : []))
			.catch(() => [])
		membersByDocument.set(documentId, pending)
	}
	return pending
}

/**
 * @mention autocomplete for a Markdown textarea: typing "@" at the start
 * of a word offers the group's members; arrow keys move through them, Enter
 * or Tab inserts `@[Name](user:id)`, or `@[Reviewer 2](pseudonym:2)` where names are
 * hidden from the writer (see app/markdown/mentions.ts), Escape
 * closes the list and leaves the text as typed.
 *
 * The list follows the ARIA listbox pattern with aria-activedescendant, so
 * focus never leaves the textarea. The textarea keeps its textbox role
 * (with aria-autocomplete="list" and aria-controls): role="combobox" is not
 * allowed on a textarea (ARIA in HTML) and ARIA 1.2 defines no multi-line
 * combobox; a polite status line says how many members match.
 */
export function useMentionAutocomplete({
	documentId,
	value,
	setValue,
	textarea,
	idBase,
}: {
	documentId: string | undefined
	value: string
	setValue: (next: string) => void
	textarea: RefObject<HTMLTextAreaElement | null>
	idBase: string
}) {
	const [caret, setCaret] = useState(0)
	const [members, setMembers] = useState<MemberOption[] | null>(null)
	const [active, setActive] = useState(0)
	const [dismissedAt, setDismissedAt] = useState<number | null>(null)
	const pendingCaret = useRef<number | null>(null)

	const mention = useMemo(() => mentionQueryAt(value, caret), [value, caret])
	useEffect(() => {
		if (mention && documentId && members === null) void loadMembers(documentId).then(setMembers)
	}, [mention, documentId, members])
	const options = useMemo(
		() => (mention && members && dismissedAt !== mention.start ? matchMembers(members, mention.query) : []),
		[mention, members, dismissedAt],
	)
	const open = options.length > 0
	useEffect(() => setActive(0), [mention?.start, mention?.query])
	// A list closed with Escape stays closed for that @; a new one opens again.
	useEffect(() => {
		if (dismissedAt !== null && mention?.start !== dismissedAt) setDismissedAt(null)
	}, [mention?.start, dismissedAt])

	useLayoutEffect(() => {
		const at = pendingCaret.current
		const element = textarea.current
		if (at === null || !element) return
		pendingCaret.current = null
		element.setSelectionRange(at, at)
		setCaret(at)
	}, [value, textarea])

	const listId = `${idBase}-mentions`
	const optionId = (i: number) => `${idBase}-mention-${i}`

	function pick(member: MemberOption) {
		if (!mention) return
		const after = value.slice(caret)
		const written = member.pseudonym === undefined ? mentionMarkdown(member.id, member.name) : pseudonymMentionMarkdown(member.pseudonym, member.name)
		const insert = written + (after.startsWith(' ') ? '' : ' ')
		pendingCaret.current = mention.start + insert.length + (after.startsWith(' ') ? 1 : 0)
		setValue(value.slice(0, mention.start) + insert + after)
	}

	/** Handles the list's keys; returns true when it took the key. */
	function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
		if (!open || event.altKey || event.ctrlKey || event.metaKey) return false
		const take = () => {
			event.preventDefault()
			event.stopPropagation()
			return true
		}
		switch (event.key) {
			case 'ArrowDown':
				setActive((i) => (i + 1) % options.length)
				return take()
			case 'ArrowUp':
				setActive((i) => (i - 1 + options.length) % options.length)
				return take()
			case 'Enter':
			case 'Tab':
				if (event.shiftKey) return false
				pick(options[Math.min(active, options.length - 1)]!)
				return take()
			case 'Escape':
				setDismissedAt(mention?.start ?? null)
				return take()
			default:
				return false
		}
	}

	const track = (element: HTMLTextAreaElement) => setCaret(element.selectionStart ?? 0)

	const inputProps = {
		'aria-autocomplete': 'list' as const,
		'aria-controls': open ? listId : undefined,
		'aria-activedescendant': open ? optionId(Math.min(active, options.length - 1)) : undefined,
		onSelect: (event: { currentTarget: HTMLTextAreaElement }) => track(event.currentTarget),
		onClick: (event: { currentTarget: HTMLTextAreaElement }) => track(event.currentTarget),
		onKeyUp: (event: { currentTarget: HTMLTextAreaElement }) => track(event.currentTarget),
	}

	const list: ReactNode = (
		<>
			{open ? (
				<ul className="mention-suggestions" role="listbox" id={listId} aria-label="Group members to mention">
					{options.map((member, i) => (
						<li
							key={member.id}
							id={optionId(i)}
							role="option"
							aria-selected={i === active}
							// Keep focus (and the caret) in the textarea.
							onMouseDown={(event) => event.preventDefault()}
							onClick={() => pick(member)}
						>
							<span className="swatch" style={{ background: member.color }} aria-hidden="true" />
							{member.name}
						</li>
					))}
				</ul>
			) : null}
			<p className="sr-only" role="status">
				{open ? `${options.length} member${options.length === 1 ? '' : 's'} to mention: up and down arrows to choose, Enter to insert.` : ''}
			</p>
		</>
	)

	return { inputProps, onKeyDown, track, list, open }
}
