import { DocumentView } from '#app/components/DocumentView.tsx'
import { motivationLabels } from '#app/annotations/types.ts'
import type { DocumentJSON } from '#app/editor/schema.ts'
import type { EditionView, PublishedVersionView } from '#app/publication/types.ts'

export interface PrintedNoteView {
	n: number
	version: PublishedVersionView
	permalink: string
	replies: { version: PublishedVersionView; permalink: string }[]
}

function NoteBody({ version }: { version: PublishedVersionView }) {
	if (version.retraction) {
		return (
			<p className="retraction">
				Retracted on {version.retraction.at.slice(0, 10)}: {version.retraction.notice}
			</p>
		)
	}
	// bodyHtml comes from app/markdown (sanitized), the one renderer.
	return <div className="note-body" dangerouslySetInnerHTML={{ __html: version.bodyHtml }} />
}

/**
 * An edition laid out as a paper: title block, the text with numbered
 * references after each annotated passage, and the annotations as numbered
 * notes (replies inside), each with its permalink for citation.
 */
export function PrintedEdition({ edition, editionUrl, doc, notes }: { edition: EditionView; editionUrl: string; doc: DocumentJSON; notes: PrintedNoteView[] }) {
	return (
		<article className="printed-edition" aria-labelledby="printed-title">
			<header className="printed-head">
				<h1 id="printed-title">{edition.documentTitle}</h1>
				<p>
					Edition {edition.number}, {edition.createdAt.slice(0, 10)} · {edition.groupName} · {edition.wordCount.toLocaleString('en')} words
				</p>
				<p className="printed-url">{editionUrl}</p>
			</header>
			<DocumentView doc={doc} />
			<section className="printed-notes" aria-labelledby="notes-heading">
				<h2 id="notes-heading">Notes</h2>
				{notes.length === 0 ? (
					<p className="empty">No annotations are published on this edition.</p>
				) : (
					<ol>
						{notes.map((note) => (
							<li key={note.n} id={`note-${note.n}`} value={note.n}>
								<p className="note-head">
									<strong>{note.version.author.name}</strong>, {motivationLabels[note.version.motivation].toLowerCase()}, on “{note.version.selector?.exact}”
									{note.version.tags.length > 0 ? ` (tags: ${note.version.tags.join(', ')})` : ''}
								</p>
								<NoteBody version={note.version} />
								{note.replies.map((reply) => (
									<div key={reply.permalink} className="note-reply">
										<p className="note-head">
											<strong>{reply.version.author.name}</strong> replied:
										</p>
										<NoteBody version={reply.version} />
									</div>
								))}
								<p className="note-permalink">{note.permalink}</p>
							</li>
						))}
					</ol>
				)}
			</section>
		</article>
	)
}
