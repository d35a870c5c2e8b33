import type { DecisionRecord } from '#app/utils/decisions.server.ts'
import './record.css'

const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' })

function When({ iso }: { iso: string }) {
	return <time dateTime={iso}>{day.format(new Date(iso))}</time>
}

/** The record itself, the same on the page and the printable page. */
export function DecisionRecordView({ record }: { record: DecisionRecord }) {
	return (
		<article className="decision-record" aria-labelledby="record-title">
			<header className="record-head">
				<h1 id="record-title">Decisions on “{record.documentTitle}”</h1>
				<p>
					{record.groupName}
					{record.reading === 'letter' ? ': letter for the author, reviewers named by pseudonym' : ': the board’s record'}
					{' · '}as of <When iso={record.generatedAt} />
				</p>
				{record.reviews.length > 0 ? <p>{record.counts.map((c) => `${c.label}: ${c.count}`).join(' · ')}</p> : null}
			</header>
			{record.reviews.length === 0 ? (
				<p className="empty">No review has been submitted on this document yet.</p>
			) : (
				<ol className="record-reviews">
					{record.reviews.map((review) => (
						<li key={review.slug} id={review.slug} className="record-review">
							<h2>
								{review.label}: {review.decision}
							</h2>
							<dl>
								<dt>Reviewer</dt>
								<dd>{review.author}</dd>
								<dt>Submitted</dt>
								<dd>
									<When iso={review.submittedAt} />
								</dd>
								{review.decidedAt ? (
									<>
										<dt>Decided</dt>
										<dd>
											<When iso={review.decidedAt} />
										</dd>
									</>
								) : null}
								{review.quote ? (
									<>
										<dt>On</dt>
										<dd>“{review.quote}”</dd>
									</>
								) : null}
							</dl>
							{review.body ? <blockquote>{review.body}</blockquote> : null}
							<h3 className="sr-only">Steps of {review.label}</h3>
							<ol className="record-steps">
								{review.steps.map((step, i) => (
									<li key={i}>
										<When iso={step.at} />, <strong>{step.label}</strong> ({step.by}): {step.reason}
									</li>
								))}
							</ol>
						</li>
					))}
				</ol>
			)}
		</article>
	)
}
