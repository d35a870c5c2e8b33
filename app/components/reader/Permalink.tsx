import { motivationLabels } from '#app/annotations/types.ts'
import type { PublishedVersionView } from '#app/publication/types.ts'
import { CiteDialog } from './CiteDialog.tsx'
import { editionPath, formatDate, versionPath } from './format.ts'
import { Tags, VersionBody } from './MarginNote.tsx'
import { ReportForm, type ReportFormResult } from './ReportForm.tsx'
import type { PermalinkPageData } from './types.ts'

/**
 * The permalink of one published annotation version: its standing first and
 * plainly (current, superseded by a newer version, or retracted with its
 * notice), the quote in its context in the edition, the body, who and when,
 * every version, the published replies, Cite, the JSON-LD and a report form.
 */
export function Permalink({ page, report }: { page: PermalinkPageData; report: ReportFormResult | undefined }) {
	const { version, versions, replies, context, current, citation, links } = page
	const { edition } = version
	const kind = version.parentId ? 'Reply' : motivationLabels[version.motivation]
	return (
		<article className="permalink" aria-labelledby="permalink-title">
			<Standing version={version} current={current} />
			<p className="reader-kicker">
				{edition.groupName} · <a href={links.edition}>{edition.documentTitle}, edition {edition.number}</a>
			</p>
			<h1 id="permalink-title">
				{kind} by {version.author.name}
				<span className="permalink-version">version {version.number}</span>
			</h1>

			{context ? (
				<figure className="quote-in-context">
					<blockquote>
						<p>
							{context.before}
							<mark className="quote-exact">{context.exact}</mark>
							{context.after}
						</p>
					</blockquote>
					<figcaption>
						The annotated words, in <a href={links.edition}>edition {edition.number} of {edition.documentTitle}</a>
					</figcaption>
				</figure>
			) : version.parentId ? (
				<p className="permalink-parent">
					A reply to <a href={`/a/${version.parentId}`}>an annotation</a> on {edition.documentTitle}.
				</p>
			) : null}

			<div className="permalink-body">
				{version.retraction ? (
					<div className="retracted-text">
						<p className="retracted-label">The retracted text, kept for the record:</p>
						{/* Sanitized by app/markdown on the server. */}
						<div dangerouslySetInnerHTML={{ __html: version.bodyHtml }} />
					</div>
				) : (
					<VersionBody version={version} />
				)}
				<Tags tags={version.tags} />
			</div>

			<dl className="permalink-facts">
				<div>
					<dt>Author</dt>
					<dd>{version.author.name}</dd>
				</div>
				<div>
					<dt>Created</dt>
					<dd>
						<time dateTime={version.createdAt}>{formatDate(version.createdAt)}</time>
					</dd>
				</div>
				<div>
					<dt>Published</dt>
					<dd>
						<time dateTime={version.publishedAt}>{formatDate(version.publishedAt)}</time>
					</dd>
				</div>
				<div>
					<dt>Edition</dt>
					<dd>
						<a href={links.edition}>
							Edition {edition.number} of <time dateTime={edition.createdAt}>{formatDate(edition.createdAt)}</time>
						</a>
					</dd>
				</div>
				<div>
					<dt>Permalink</dt>
					<dd>
						<code className="permalink-url">{links.version}</code>
					</dd>
				</div>
			</dl>

			<div className="reader-actions">
				<CiteDialog citation={citation} title="Cite this annotation" fileName={`annotation-${version.annotationId}-v${version.number}`} />
				<a href={links.jsonLd} type="application/ld+json">
					JSON-LD<span className="sr-only"> (W3C Web Annotation)</span>
				</a>
			</div>

			<section className="permalink-versions" aria-labelledby="versions-title">
				<h2 id="versions-title">Versions</h2>
				<ol>
					{versions.map((other) => (
						<li key={other.number}>
							<a href={versionPath(other.annotationId, other.number)} aria-current={other.number === version.number ? 'page' : undefined}>
								Version {other.number}
							</a>
							, published <time dateTime={other.publishedAt}>{formatDate(other.publishedAt)}</time> on{' '}
							<a href={editionPath(other.edition.documentId, other.edition.number, other.annotationId)}>edition {other.edition.number}</a>
							{' · '}
							<span className="version-standing">{standingWord(other, current)}</span>
							{other.number === version.number ? <span className="muted"> (this page)</span> : null}
						</li>
					))}
				</ol>
			</section>

			{replies.length > 0 ? (
				<section className="permalink-replies" aria-labelledby="replies-title">
					<h2 id="replies-title">Replies</h2>
					<ol className="note-replies">
						{replies.map((reply) => (
							<li key={reply.annotationId}>
								<VersionBody version={reply} />
								<p className="note-byline">
									{reply.author.name}, <time dateTime={reply.publishedAt}>{formatDate(reply.publishedAt)}</time> ·{' '}
									<a href={versionPath(reply.annotationId, reply.number)}>
										Permalink<span className="sr-only"> of this reply by {reply.author.name}</span>
									</a>
								</p>
							</li>
						))}
					</ol>
				</section>
			) : null}

			<ReportForm result={report} />
		</article>
	)
}

/** The version's standing, said first and in words: what a reader must know before quoting it. */
function Standing({ version, current }: { version: PublishedVersionView; current: number | null }) {
	if (version.retraction) {
		return (
			<p className="permalink-standing is-retracted">
				<strong>Retracted</strong> on <time dateTime={version.retraction.at}>{formatDate(version.retraction.at)}</time>
				{version.retraction.notice ? `: ${version.retraction.notice}` : '.'}
			</p>
		)
	}
	if (version.supersededBy !== null) {
		return (
			<p className="permalink-standing is-superseded">
				<strong>Superseded</strong> by{' '}
				<a href={versionPath(version.annotationId, version.supersededBy)}>version {version.supersededBy}</a>
				{current !== null && current !== version.supersededBy ? (
					<>
						{' '}
						(the current one is <a href={versionPath(version.annotationId, current)}>version {current}</a>)
					</>
				) : null}
				.
			</p>
		)
	}
	return (
		<p className="permalink-standing is-current">
			<strong>Current version</strong> of this annotation.
		</p>
	)
}

function standingWord(version: PublishedVersionView, current: number | null): string {
	if (version.standing === 'retracted') return 'retracted'
	if (version.standing === 'superseded') return `superseded by version ${version.supersededBy}`
	return version.number === current ? 'current' : 'published'
}
