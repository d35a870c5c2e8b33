import { useLocation } from '@remix-run/react'
import {
	useCallback,
	useEffect,
	useId,
	useMemo,
	useRef,
	useState,
	useSyncExternalStore,
	type FormEvent,
	type KeyboardEvent,
	type RefObject,
} from 'react'
import type { EditorState } from 'prosemirror-state'
import type { EditorView } from 'prosemirror-view'
import type { CollabSession, Person, ToolbarItem } from '#app/editor/collab-session.ts'
import {
	connectionLabel,
	hasUnsavedChanges,
	isTerminal,
	saveLabels,
	saveState,
	type CollabStatus,
} from '#app/editor/collab-status.ts'
import type { DocumentJSON } from '#app/editor/schema.ts'
import { AnnotationLayer } from './annotations/AnnotationLayer.tsx'
import { DocumentView } from './DocumentView.tsx'

/** The editor's module, loaded in the browser only: ProseMirror and Yjs stay out of the server's render. */
type LiveModule = typeof import('#app/editor/collab-session.ts')

export interface EditorProps {
	documentId: string
	/** The stored text, for the first paint and until the live document has arrived. */
	doc: DocumentJSON
	user: { id: string; name: string; color: string }
	/** A steward's legend of a pseudonymous room, so carets and "Who is here" name people. */
	legend?: readonly { label: string; name: string }[]
	/** The loader's answer to "may this user edit the text?". */
	canWrite: boolean
	/** Whether the user belongs to the document's group (a signed-in visitor of an open community does not). */
	isMember: boolean
	/** What the user may do with annotations: annotate, reply and endorse; remove anyone's. */
	annotations: { canAnnotate: boolean; canModerate: boolean }
}

const noSubscription = () => () => {}

/**
 * A document, live: the server-rendered read view first (and for good
 * without JavaScript), replaced by the collaborative editor once the
 * document has synced. Readers get the same live view, not editable.
 */
export function Editor({ documentId, doc, user, legend, canWrite, isMember, annotations }: EditorProps) {
	const [live, setLive] = useState<{ module: LiveModule; session: CollabSession } | null>(null)
	// Stable, so that the annotation margin (memoized) does not re-render on every keystroke.
	const viewer = useMemo(
		() => ({ id: user.id, canWrite: annotations.canAnnotate, canModerate: annotations.canModerate }),
		[user.id, annotations.canAnnotate, annotations.canModerate],
	)
	const [loadFailed, setLoadFailed] = useState(false)
	// A new session replaces the current one when the server refused changes the current one holds.
	const [sessionNumber, setSessionNumber] = useState(0)
	const [linkFormOpen, setLinkFormOpen] = useState(false)
	const toolbarRef = useRef<HTMLDivElement>(null)
	const keysHintId = useId()
	const editorId = useId()

	// The session outlives renders; its keymap reaches the current toolbar through this ref.
	const hooks = useRef({
		focusToolbar: () => toolbarRef.current?.querySelector<HTMLButtonElement>('button[tabindex="0"]')?.focus(),
		requestLink: () => setLinkFormOpen(true),
	})

	useEffect(() => {
		let cancelled = false
		let session: CollabSession | null = null
		import('#app/editor/collab-session.ts').then(
			(module) => {
				if (cancelled) return
				session = module.openCollabSession({
					documentId,
					user,
					legend,
					canWrite,
					hooks: { focusToolbar: () => hooks.current.focusToolbar(), requestLink: () => hooks.current.requestLink() },
					describedBy: keysHintId,
					onStartOver: () => {
						if (cancelled) return
						setLive(null)
						setSessionNumber((n) => n + 1)
					},
				})
				setLive({ module, session })
			},
			(error: unknown) => {
				console.error('[editor] loading the live editor failed:', error)
				if (!cancelled) setLoadFailed(true)
			},
		)
		return () => {
			cancelled = true
			session?.destroy()
		}
		// One session per document (the route keys this component by it) at a time. `user` and `canWrite` are
		// only the starting point: later changes of role arrive over the socket (message 101), not as props.
	}, [documentId, sessionNumber])

	const session = live?.session ?? null
	const snapshot = useSyncExternalStore(
		session?.subscribe ?? noSubscription,
		() => session?.snapshot ?? null,
		() => null,
	)
	const status = snapshot?.status ?? null
	const mayWrite = status ? status.canWrite : canWrite
	const unsaved = status ? hasUnsavedChanges(status) : false

	// Edits not yet stored live only in this page: say so before it is closed or reloaded.
	useEffect(() => {
		if (!unsaved) return
		const warn = (event: BeforeUnloadEvent) => {
			event.preventDefault()
			// Chromium before 119 needs returnValue set to show the prompt.
			event.returnValue = ''
		}
		window.addEventListener('beforeunload', warn)
		return () => window.removeEventListener('beforeunload', warn)
	}, [unsaved])

	const view = session?.view ?? null
	const editorState = snapshot?.editorState ?? null
	const mount = useCallback(
		(element: HTMLDivElement | null) => {
			if (element && view && view.dom.parentNode !== element) element.appendChild(view.dom)
		},
		[view],
	)

	const readOnlyNote = mayWrite ? null : (
		<p className="read-only-note">
			{isMember ? 'Read-only: you are a reader in this group' : 'Read-only: only members of this group may edit'}
		</p>
	)

	if (!live || !snapshot || !status) {
		return (
			<div className="live-document">
				{loadFailed ? (
					<p className="form-error">The live editor could not be loaded. This is the last saved text; reload the page to try again.</p>
				) : null}
				{readOnlyNote}
				<DocumentView doc={doc} />
			</div>
		)
	}

	const showToolbar = mayWrite && view && editorState && !isTerminal(status.connection)
	return (
		<div className="live-document">
			<div className="editor-bar">
				{showToolbar ? (
					<Toolbar
						items={live.module.toolbarItems}
						module={live.module}
						view={view}
						state={editorState}
						editorId={editorId}
						toolbarRef={toolbarRef}
						onLink={() => setLinkFormOpen(true)}
					/>
				) : null}
				<StatusLine status={status} onRetry={() => session?.retry()} />
			</div>
			{linkFormOpen && view && showToolbar ? (
				<LinkForm
					isSafeHref={live.module.isSafeHref}
					onCancel={() => {
						setLinkFormOpen(false)
						view.focus()
					}}
					onSubmit={(href) => {
						live.module.setLink(href)(view.state, view.dispatch)
						setLinkFormOpen(false)
						view.focus()
					}}
				/>
			) : null}
			{readOnlyNote}
			<div className="editor-layout">
				<div className="editor-main">
					{view ? <div className="editor-mount" id={editorId} ref={mount} /> : <DocumentView doc={doc} />}
					{mayWrite ? (
						<p className="editor-keys-hint" id={keysHintId}>
							Alt+F10 moves to the toolbar and Esc comes back. Tab indents a list item; elsewhere it leaves the text.
						</p>
					) : null}
				</div>
				<div className="editor-side">
					<Presence people={snapshot.people} connected={status.connection === 'connected'} />
					{session ? (
						<AnnotationLayer host={session} documentId={documentId} viewer={viewer} />
					) : null}
				</div>
			</div>
		</div>
	)
}

function StatusLine({ status, onRetry }: { status: CollabStatus; onRetry(): void }) {
	const location = useLocation()
	const save = saveLabels[saveState(status)]
	let connection
	if (status.connection === 'session-ended') {
		const loginHref = `/login?${new URLSearchParams({ redirectTo: location.pathname + location.search })}`
		connection = hasUnsavedChanges(status) ? (
			// Leaving this page would lose what is not saved: log in elsewhere, then reconnect from here.
			<p className="collab-alert" role="alert">
				Your session ended —{' '}
				<a href={loginHref} target="_blank" rel="noopener">
					log in again (opens a new tab)
				</a>
				, then{' '}
				<button type="button" className="link-button" onClick={onRetry}>
					reconnect
				</button>{' '}
				to save the edits made here.
			</p>
		) : (
			<p className="collab-alert" role="alert">
				Your session ended — <a href={loginHref}>log in again</a>
			</p>
		)
	} else if (isTerminal(status.connection)) {
		connection = (
			<p className="collab-alert" role="alert">
				{connectionLabel(status.connection, status.canWrite)}
			</p>
		)
	} else {
		connection = (
			<p className="connection-status" data-state={status.connection}>
				<span className="connection-dot" aria-hidden="true" />
				{connectionLabel(status.connection, status.canWrite)}
			</p>
		)
	}
	return (
		<div className="collab-status">
			{connection}
			{/* Always rendered, even empty, so that screen readers already watch it when it first changes. */}
			<p className="save-status" role="status" aria-live="polite" data-state={saveState(status)}>
				{save}
			</p>
		</div>
	)
}

function Presence({ people, connected }: { people: readonly Person[]; connected: boolean }) {
	const titleId = useId()
	return (
		<section className="presence" aria-labelledby={titleId}>
			<h2 id={titleId}>Who is here</h2>
			<ul aria-labelledby={titleId}>
				{people.map((person) => (
					<li key={person.key}>
						<span className="swatch" style={{ background: person.color }} aria-hidden="true" />
						{person.name}
						{person.self ? <span className="presence-you"> (you)</span> : null}
					</li>
				))}
			</ul>
			{/* Without a connection the list cannot know who else is here. */}
			{connected ? null : <p className="presence-unknown">Not connected: others may be here too.</p>}
		</section>
	)
}

interface ToolbarProps {
	items: readonly ToolbarItem[]
	module: LiveModule
	view: EditorView
	state: EditorState
	editorId: string
	toolbarRef: RefObject<HTMLDivElement>
	onLink(): void
}

/**
 * The formatting toolbar, following the WAI-ARIA toolbar pattern: one tab
 * stop, arrow keys (and Home/End) move between buttons, Esc returns to the
 * text. Mouse presses do not take focus from the text, so the selection
 * stays where it was.
 */
function Toolbar({ items, module, view, state, editorId, toolbarRef, onLink }: ToolbarProps) {
	const [current, setCurrent] = useState(0)
	const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)

	function focusButton(index: number) {
		setCurrent(index)
		toolbarRef.current?.querySelectorAll<HTMLButtonElement>('button')[index]?.focus()
	}

	function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
		const last = items.length - 1
		const moves: Record<string, number> = {
			ArrowRight: current === last ? 0 : current + 1,
			ArrowLeft: current === 0 ? last : current - 1,
			Home: 0,
			End: last,
		}
		const next = moves[event.key]
		if (next !== undefined) {
			event.preventDefault()
			focusButton(next)
		} else if (event.key === 'Escape') {
			event.preventDefault()
			view.focus()
		}
	}

	function run(item: ToolbarItem) {
		if (item.key === 'link' && !item.active?.(view.state)) onLink()
		else item.command(view.state, view.dispatch)
	}

	return (
		<div
			className="toolbar"
			role="toolbar"
			aria-label="Formatting"
			aria-controls={editorId}
			ref={toolbarRef}
			onKeyDown={onKeyDown}
		>
			{items.map((item, index) => {
				const enabled = module.isItemEnabled(item, state)
				const shortcut = module.describeShortcut(item.shortcut, mac)
				return (
					<button
						key={item.key}
						type="button"
						className={`tool${item.startsGroup ? ' starts-group' : ''}`}
						tabIndex={index === current ? 0 : -1}
						aria-pressed={item.active ? item.active(state) : undefined}
						aria-disabled={enabled ? undefined : true}
						aria-keyshortcuts={shortcut.aria}
						data-tip={`${item.label} (${shortcut.text})`}
						onMouseDown={(event) => event.preventDefault()}
						onFocus={() => setCurrent(index)}
						onClick={() => {
							if (enabled) run(item)
						}}
					>
						<span aria-hidden="true" className={`glyph glyph-${item.key}`}>
							{item.glyph}
						</span>
						<span className="sr-only">
							{item.label} ({shortcut.text})
						</span>
					</button>
				)
			})}
		</div>
	)
}

function LinkForm({
	isSafeHref,
	onSubmit,
	onCancel,
}: {
	isSafeHref(href: string): boolean
	onSubmit(href: string): void
	onCancel(): void
}) {
	const id = useId()
	const [href, setHref] = useState('https://')
	const [error, setError] = useState<string | null>(null)
	function submit(event: FormEvent) {
		event.preventDefault()
		const value = href.trim()
		if (!isSafeHref(value)) {
			setError('Use an address that starts with https://, http://, mailto:, / or #.')
			return
		}
		onSubmit(value)
	}
	return (
		<form
			className="link-form"
			noValidate
			onSubmit={submit}
			onKeyDown={(event) => {
				if (event.key === 'Escape') {
					event.preventDefault()
					onCancel()
				}
			}}
		>
			<label htmlFor={id}>Link address</label>
			<input
				id={id}
				type="url"
				value={href}
				// Opened by the user's own action (button or Ctrl+K): moving focus here is expected.
				autoFocus
				aria-invalid={error ? true : undefined}
				aria-describedby={error ? `${id}-error` : undefined}
				onChange={(event) => setHref(event.target.value)}
			/>
			<button type="submit">Add link</button>
			<button type="button" className="secondary" onClick={onCancel}>
				Cancel
			</button>
			{error ? (
				<p className="field-error" id={`${id}-error`}>
					{error}
				</p>
			) : null}
		</form>
	)
}
