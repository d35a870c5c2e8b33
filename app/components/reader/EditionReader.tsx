import { Fragment } from 'react'
import { DocumentView } from '#app/components/DocumentView.tsx'
import { CiteDialog } from './CiteDialog.tsx'
import { editionPath, formatDate } from './format.ts'
import { MarginNote } from './MarginNote.tsx'
import type { EditionNote, EditionPageData } from './types.ts'

/**
 * The public reader's page of one edition: a quiet header (title, edition
 * and date, content hash, group, the other editions, its citation), then the
 * text block by block, each followed by the notes whose highlights start in
 * it. On wide screens the CSS floats those notes into the margin beside
 * their block; on narrow ones they stay below it. No script is needed to read.
 */
export function EditionReader({ edition, editions, blocks, notes, citation, links }: EditionPageData) {
	const byBlock = new Map<number, EditionNote[]>()
	for (const note of notes) {
		if (note.block === null) continue
		byBlock.set(note.block, [...(byBlock.get(note.block) ?? []), note])
	}
	const unplaced = notes.filter((note) => note.block === null)
	return (
		<article className="reader" aria-labelledby="reader-title">
			<header className="reader-header">
				<p className="reader-kicker">
					{edition.groupName} · public edition
				</p>
				<h1 id="reader-title">{edition.documentTitle}</h1>
				<p className="reader-edition">
					Edition {edition.number} of <time dateTime={edition.createdAt}>{formatDate(edition.createdAt)}</time>
				</p>
				<dl className="reader-facts">
					<div>
						<dt>Published by</dt>
						<dd>{edition.groupName}</dd>
					</div>
					<div>
						<dt>Length</dt>
						<dd>{edition.wordCount.toLocaleString('en')} words</dd>
					</div>
					<div>
						<dt>Annotations</dt>
						<dd>{notes.length}</dd>
					</div>
					<div className="reader-hash">
						<dt>Content hash</dt>
						<dd>
							<code>{edition.contentHash}</code>
						</dd>
					</div>
				</dl>
				<nav className="reader-editions" aria-label="Editions">
					<span className="reader-editions-label">Editions:</span>
					<ol>
						{editions.map((other) => (
							<li key={other.number}>
								{other.number === edition.number ? (
									<a href={editionPath(other.documentId, other.number)} aria-current="page">
										{other.number}
										<span className="sr-only"> (this edition)</span>
									</a>
								) : (
									<a href={editionPath(other.documentId, other.number)}>
										{other.number}
										<span className="sr-only">, {formatDate(other.createdAt)}</span>
									</a>
								)}
							</li>
						))}
					</ol>
				</nav>
				<div className="reader-actions">
					<CiteDialog citation={citation} title="Cite this edition" fileName={`${slug(edition.documentTitle)}-edition-${edition.number}`} />
					<a href={links.feed}>Feed of new annotations</a>
					<a href={`${editionPath(edition.documentId, edition.number)}/print`}>Printable edition</a>
				</div>
			</header>

			<div className="reader-body">
				{blocks.map((block, index) => {
					const here = byBlock.get(index)
					return (
						<Fragment key={index}>
							<div className="passage-text">
								<DocumentView doc={{ type: 'doc', content: [block] }} />
							</div>
							{here ? (
								<div className="passage-notes">
									{here.map((note) => (
										<MarginNote key={note.version.annotationId} note={note} />
									))}
								</div>
							) : null}
						</Fragment>
					)
				})}
			</div>

			{unplaced.length > 0 ? (
				<section className="reader-unplaced" aria-labelledby="unplaced-title">
					<h2 id="unplaced-title">Notes on the edition as a whole</h2>
					{unplaced.map((note) => (
						<MarginNote key={note.version.annotationId} note={note} />
					))}
				</section>
			) : null}
		</article>
	)
}

/** A file name from a title: lower-case words joined by hyphens. */
function slug(title: string): string {
	return (
		title
			.normalize('NFKD')
			.replace(/[^\p{L}\p{N}]+/gu, '-')
			.replace(/^-+|-+$/g, '')
			.toLowerCase()
			.slice(0, 60) || 'edition'
	)
}
