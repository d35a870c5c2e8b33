import type { Highlight } from '#app/editor/highlights.ts'
import type { AnnotationEvent, AnnotationView } from './types.ts'

/** A thread: an annotation on the text and its replies, oldest first. */
export interface Thread {
	root: AnnotationView
	replies: AnnotationView[]
}

export interface AnnotationsSnapshot {
	/** Threads whose anchor is placed, in reading order. */
	placed: Thread[]
	/** Threads whose words could not be found: shown in the "Orphaned" list. */
	orphaned: Thread[]
	/** Every annotation by id. */
	byId: ReadonlyMap<string, AnnotationView>
}

export type CommandResult = { ok: true; annotation: AnnotationView | null } | { ok: false; error: string }

/**
 * The browser's copy of a document's annotations: loaded from the JSON API,
 * kept current by the live events on the document's socket (message 102),
 * changed only by sending commands to the server, which checks them.
 */
export class AnnotationStore {
	private annotations = new Map<string, AnnotationView>()
	private listeners = new Set<(snapshot: AnnotationsSnapshot) => void>()
	private current: AnnotationsSnapshot = { placed: [], orphaned: [], byId: new Map() }
	/**
	 * Events applied while a load is in flight. The list the server answers
	 * with may be older than some of them (a reconnect's reload racing a live
	 * "orphaned"), so they are applied again, in order, on top of it.
	 */
	private sinceLoadStarted: AnnotationEvent[] | null = null

	constructor(
		readonly documentId: string,
		private readonly fetcher: typeof fetch = (...args) => fetch(...args),
	) {}

	get snapshot(): AnnotationsSnapshot {
		return this.current
	}

	subscribe(listener: (snapshot: AnnotationsSnapshot) => void): () => void {
		this.listeners.add(listener)
		return () => this.listeners.delete(listener)
	}

	/** (Re)loads the full list; called at start and after each reconnect, so missed events do not matter. */
	async load(): Promise<void> {
		const events: AnnotationEvent[] = []
		this.sinceLoadStarted = events
		try {
			const response = await this.fetcher(`/documents/${this.documentId}/annotations`, {
				headers: { Accept: 'application/json' },
			})
			if (!response.ok) throw new Error(`loading annotations failed with ${response.status}`)
			const { annotations } = (await response.json()) as { annotations: AnnotationView[] }
			// A newer load has started meanwhile: its answer will be the fresher one.
			if (this.sinceLoadStarted !== events) return
			this.annotations = new Map(annotations.map((a) => [a.id, a]))
			for (const event of events) this.change(event)
			this.publish()
		} finally {
			if (this.sinceLoadStarted === events) this.sinceLoadStarted = null
		}
	}

	apply(event: AnnotationEvent) {
		// Every name shown may have changed (the group's identity mode): the list is read again as this viewer now sees it.
		if (event.kind === 'reload') {
			void this.load().catch((error) => console.error('[annotations] reloading failed:', error))
			return
		}
		this.sinceLoadStarted?.push(event)
		const sentBack = event.kind === 'annotation' && isSentBack(event.annotation, this.annotations.get(event.annotation.id))
		this.change(event)
		this.publish()
		// Live events never carry a decision's reason; the list does, for those who may read it.
		if (sentBack) void this.load().catch(() => {})
	}

	private change(event: AnnotationEvent) {
		if (event.kind === 'annotation') {
			const existing = this.annotations.get(event.annotation.id)
			const decision = existing?.status === event.annotation.status ? existing.decision : undefined
			this.annotations.set(event.annotation.id, decision ? { ...event.annotation, decision } : event.annotation)
		} else if (event.kind === 'annotation-removed') {
			this.annotations.delete(event.id)
			for (const [id, a] of this.annotations) if (a.parentId === event.id) this.annotations.delete(id)
		} else if (event.kind === 'anchors') {
			for (const { id, anchor } of event.anchors) {
				const existing = this.annotations.get(id)
				if (existing) this.annotations.set(id, { ...existing, anchor })
			}
		}
	}

	/** Sends one command to the server; the change arrives back as a live event too. */
	async send(command: Record<string, unknown>): Promise<CommandResult> {
		let response: Response
		try {
			response = await this.fetcher(`/documents/${this.documentId}/annotations`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
				body: JSON.stringify(command),
			})
		} catch {
			return { ok: false, error: 'The server could not be reached. Check your connection and try again.' }
		}
		const json = (await response.json().catch(() => ({}))) as { annotation?: AnnotationView; error?: string }
		if (!response.ok) return { ok: false, error: json.error ?? `The server refused (${response.status}).` }
		if (json.annotation) this.apply({ kind: 'annotation', annotation: json.annotation })
		if (command.intent === 'delete' && typeof command.id === 'string') this.apply({ kind: 'annotation-removed', id: command.id })
		return { ok: true, annotation: json.annotation ?? null }
	}

	private publish() {
		const roots: AnnotationView[] = []
		const replies = new Map<string, AnnotationView[]>()
		for (const a of this.annotations.values()) {
			if (a.parentId) replies.set(a.parentId, [...(replies.get(a.parentId) ?? []), a])
			else roots.push(a)
		}
		const thread = (root: AnnotationView): Thread => ({
			root,
			replies: (replies.get(root.id) ?? []).sort((x, y) => x.createdAt.localeCompare(y.createdAt)),
		})
		const placed = roots
			.filter((a) => a.anchor && a.anchor.status !== 'orphaned')
			.sort((x, y) => x.anchor!.startOffset - y.anchor!.startOffset || x.createdAt.localeCompare(y.createdAt))
			.map(thread)
		const orphaned = roots
			.filter((a) => a.anchor?.status === 'orphaned')
			.sort((x, y) => x.createdAt.localeCompare(y.createdAt))
			.map(thread)
		this.current = { placed, orphaned, byId: new Map(this.annotations) }
		for (const listener of this.listeners) listener(this.current)
	}
}

/** The highlights to draw for the threads shown (orphans have none). */
export function highlightsOf(threads: readonly Thread[]): Highlight[] {
	return threads.flatMap(({ root }) =>
		root.anchor && root.anchor.status !== 'orphaned'
			? [
					{
						id: root.id,
						start: root.anchor.start,
						end: root.anchor.end,
						className: `motivation-${root.motivation}${root.status === 'draft' ? ' is-draft' : ''}`,
					},
				]
			: [],
	)
}

/** Whether an event sends an annotation back to its author (a decision whose reason the list holds). */
function isSentBack(next: AnnotationView, previous: AnnotationView | undefined): boolean {
	return (next.status === 'changes_requested' || next.status === 'rejected') && previous?.status !== next.status
}
