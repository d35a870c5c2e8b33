import { Form, useNavigation } from '@remix-run/react'
import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { QueueItem, intentKeys } from './QueueItem.tsx'
import { intentLabels, type ModerationIntent, type QueueItemView } from './types.ts'

const bulkFormId = 'bulk-decisions'
const keyIntents = Object.fromEntries(Object.entries(intentKeys).map(([intent, key]) => [key, intent])) as Record<string, ModerationIntent>

/** Where a key press belongs to the field being typed in, never to a shortcut. */
function isTyping(target: EventTarget | null): boolean {
	if (!(target instanceof HTMLElement)) return false
	if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true
	return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type)
}

/**
 * The list of pending submissions with its keyboard (j/k or arrows move,
 * a / c / x arm approve, request changes, reject) and the bulk form. The
 * list is one tab stop (roving focus); every action is also a button.
 */
export function ModerationQueue({ items }: { items: QueueItemView[] }) {
	const listRef = useRef<HTMLOListElement>(null)
	const [activeIndex, setActiveIndex] = useState(0)
	const [armed, setArmed] = useState<{ id: string; intent: ModerationIntent } | null>(null)
	const [notes, setNotes] = useState<Record<string, string>>({})
	const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
	const navigation = useNavigation()
	const refocus = useRef<number | null>(null)
	// The shortcuts need the scripts; say when they are live (tests wait for it).
	const [keyboard, setKeyboard] = useState(false)
	useEffect(() => setKeyboard(true), [])

	const decidable = items.filter((i) => i.blocked === null)
	const allSelected = decidable.length > 0 && decidable.every((i) => selected.has(i.id))

	// After a decision the list changes: keep the keyboard where it was (the next item), and forget what left.
	useEffect(() => {
		const ids = new Set(items.map((i) => i.id))
		setSelected((s) => new Set([...s].filter((id) => ids.has(id))))
		setArmed((a) => (a && ids.has(a.id) ? a : null))
		if (navigation.state === 'idle' && refocus.current !== null) {
			const index = Math.min(refocus.current, items.length - 1)
			refocus.current = null
			if (index >= 0) focusItem(index)
		}
	}, [items, navigation.state])

	function itemElements(): HTMLElement[] {
		return [...(listRef.current?.querySelectorAll<HTMLElement>('[data-queue-item]') ?? [])]
	}

	function focusItem(index: number) {
		const elements = itemElements()
		const clamped = Math.max(0, Math.min(index, elements.length - 1))
		setActiveIndex(clamped)
		elements[clamped]?.focus()
	}

	function arm(index: number, intent: ModerationIntent) {
		const item = items[index]
		if (!item) return
		if (item.blocked) {
			setNotes({ ...notes, [item.id]: `${intentLabels[intent]}: not possible. ${item.blocked}` })
			return
		}
		const reason = listRef.current?.querySelector<HTMLTextAreaElement>(`[data-reason-for="${item.id}"]`)
		if (!reason) return
		refocus.current = index
		if (reason.value.trim()) {
			reason.form?.requestSubmit(reason.form.querySelector<HTMLButtonElement>(`button[value="${intent}"]`) ?? undefined)
			return
		}
		setArmed({ id: item.id, intent })
		reason.focus()
	}

	function onKeyDown(event: KeyboardEvent<HTMLOListElement>) {
		if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return
		const elements = itemElements()
		const current = elements.findIndex((el) => el.contains(event.target as Node))
		if (current < 0) return
		const key = event.key
		if (key === 'j' || key === 'ArrowDown') focusItem(current + 1)
		else if (key === 'k' || key === 'ArrowUp') focusItem(current - 1)
		else if (key === 'Home') focusItem(0)
		else if (key === 'End') focusItem(elements.length - 1)
		else if (keyIntents[key]) arm(current, keyIntents[key])
		else return
		event.preventDefault()
	}

	if (items.length === 0) return <p className="empty">Nothing is waiting for a decision.</p>

	return (
		<>
			<ShortcutHelp />
			<Form method="post" id={bulkFormId} preventScrollReset className="bulk-form" aria-label="Decide on the selected submissions">
				<input type="hidden" name="intent" value="bulk" />
				{decidable.map((i) => (
					<input key={i.id} type="hidden" name="shown" value={i.id} />
				))}
				<label className="radio-row">
					<input
						type="checkbox"
						name="all"
						value="on"
						checked={allSelected}
						disabled={decidable.length === 0}
						onChange={(event) => setSelected(event.target.checked ? new Set(decidable.map((i) => i.id)) : new Set())}
					/>
					<span>Select all {decidable.length} you can decide on</span>
				</label>
				<div className="field">
					<label htmlFor="bulk-reason">Reason for the selected</label>
					<textarea id="bulk-reason" name="reason" rows={2} maxLength={2000} />
				</div>
				<div className="actions">
					<button type="submit" name="bulk" value="approve">
						Approve selected
					</button>
					<button type="submit" name="bulk" value="request_changes" className="secondary">
						Request changes selected
					</button>
					<button type="submit" name="bulk" value="reject" className="danger">
						Reject selected
					</button>
					<span className="muted small" aria-live="polite">
						{selected.size} selected
					</span>
				</div>
			</Form>
			<ol className="queue" aria-label="Submissions waiting for a decision" ref={listRef} onKeyDown={onKeyDown} data-keyboard={keyboard ? 'on' : undefined}>
				{items.map((item, index) => (
					<li key={item.id}>
						<QueueItem
							item={item}
							active={index === Math.min(activeIndex, items.length - 1)}
							armed={armed?.id === item.id ? armed.intent : null}
							selected={selected.has(item.id)}
							note={notes[item.id] ?? null}
							bulkFormId={bulkFormId}
							onSelect={(on) => {
								const next = new Set(selected)
								if (on) next.add(item.id)
								else next.delete(item.id)
								setSelected(next)
							}}
							onDisarm={() => {
								setArmed(null)
								focusItem(index)
							}}
							onFocused={() => setActiveIndex(index)}
						/>
					</li>
				))}
			</ol>
		</>
	)
}

/** The shortcuts, said on the page where they work. */
export function ShortcutHelp() {
	return (
		<div className="shortcut-help" id="queue-shortcuts">
			<h3>Keyboard</h3>
			<p className="small">
				Tab to the list, then: <kbd>j</kbd> or <kbd>↓</kbd> next item, <kbd>k</kbd> or <kbd>↑</kbd> previous item,{' '}
				<kbd>a</kbd> approve, <kbd>c</kbd> request changes, <kbd>x</kbd> reject. A decision key moves you to the item’s
				reason field with the action armed: type the reason and press <kbd>Enter</kbd> (<kbd>Shift</kbd>+<kbd>Enter</kbd> for
				a new line, <kbd>Escape</kbd> to cancel). If a reason is already typed, the key decides at once. Keys typed into a
				field are never taken as shortcuts.
			</p>
		</div>
	)
}
