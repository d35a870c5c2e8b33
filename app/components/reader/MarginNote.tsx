import { motivationLabels } from '#app/annotations/types.ts'
import type { PublishedVersionView } from '#app/publication/types.ts'
import { editionPath, formatDate, highlightElementId, noteElementId, versionPath } from './format.ts'
import type { EditionNote } from './types.ts'

/**
 * One published annotation in an edition's margin: what it is, its body
 * (or, retracted, the notice in its place), tags, author, date and version,
 * links back to its highlight and to its permalink, and its published
 * replies. Focusable, so that following a highlight's link lands on it.
 */
export function MarginNote({ note }: { note: EditionNote }) {
	const { version } = note
	const kind = motivationLabels[version.motivation]
	return (
		<article
			id={noteElementId(version.annotationId)}
			className={`note motivation-${version.motivation} standing-${version.standing}`}
			tabIndex={-1}
			aria-label={`Note ${note.number}: ${kind} by ${version.author.name}`}
		>
			<p className="note-head">
				<span className="note-number" aria-hidden="true">
					{note.number}
				</span>
				<span className="note-kind">{kind}</span>
				{version.number > 1 ? <span className="note-version">version {version.number}</span> : null}
			</p>
			<VersionBody version={version} />
			{note.newerEdition !== null && version.supersededBy !== null ? (
				<p className="note-standing">
					A newer version is on{' '}
					<a href={editionPath(version.edition.documentId, note.newerEdition, version.annotationId)}>edition {note.newerEdition}</a>.
				</p>
			) : null}
			<Tags tags={version.tags} />
			<Byline version={version} />
			<p className="note-links">
				{note.placed ? (
					<a href={`#${highlightElementId(version.annotationId)}`}>
						Back to the text<span className="sr-only"> of note {note.number}</span>
					</a>
				) : null}
				<a href={versionPath(version.annotationId, version.number)}>
					Permalink<span className="sr-only"> of note {note.number}</span>
				</a>
			</p>
			{note.replies.length > 0 ? (
				<ol className="note-replies" aria-label={`Replies to note ${note.number}`}>
					{note.replies.map((reply) => (
						<li key={reply.annotationId}>
							<VersionBody version={reply} />
							<Byline version={reply} />
							<p className="note-links">
								<a href={versionPath(reply.annotationId, reply.number)}>
									Permalink<span className="sr-only"> of this reply by {reply.author.name}</span>
								</a>
							</p>
						</li>
					))}
				</ol>
			) : null}
		</article>
	)
}

/** The body as published, or for a retracted version the retraction notice in its place, said plainly. */
export function VersionBody({ version }: { version: PublishedVersionView }) {
	if (version.retraction) {
		return (
			<div className="retraction">
				<p>
					<strong>Retracted</strong> on <time dateTime={version.retraction.at}>{formatDate(version.retraction.at)}</time>
					{version.retraction.notice ? `: ${version.retraction.notice}` : '.'}
				</p>
			</div>
		)
	}
	// Rendered by app/markdown on the server and sanitized there (the one Markdown renderer).
	return <div className="note-body" dangerouslySetInnerHTML={{ __html: version.bodyHtml }} />
}

export function Tags({ tags }: { tags: string[] }) {
	if (tags.length === 0) return null
	return (
		<ul className="note-tags" aria-label="Tags">
			{tags.map((tag) => (
				<li key={tag}>{tag}</li>
			))}
		</ul>
	)
}

function Byline({ version }: { version: PublishedVersionView }) {
	return (
		<p className="note-byline">
			{version.author.name}, <time dateTime={version.publishedAt}>{formatDate(version.publishedAt)}</time>
		</p>
	)
}
