import { Form } from '@remix-run/react'
import { QuoteInContext, Time } from './QuoteInContext.tsx'
import type { ReportView } from './types.ts'

/** Readers' open reports about published annotations: dismiss, or retract the annotation with a public notice. */
export function ReportList({ reports, canRetract }: { reports: ReportView[]; canRetract: boolean }) {
	if (reports.length === 0) return <p className="empty">No open reports from readers.</p>
	return (
		<ol className="reports">
			{reports.map((report) => (
				<li key={report.id} className="report">
					<article aria-labelledby={`report-${report.id}`}>
						<h3 id={`report-${report.id}`}>
							Report on version {report.versionNumber} by {report.authorName}
							{report.standing !== 'published' ? <span className="badge">{report.standing}</span> : null}
						</h3>
						<p className="small muted">
							Reported <Time iso={report.at} /> ·{' '}
							<a href={`/a/${report.annotationId}/v/${report.versionNumber}`}>Public permalink</a>
						</p>
						{report.quote ? <QuoteInContext quote={report.quote} /> : null}
						<div className="markdown-body" dangerouslySetInnerHTML={{ __html: report.bodyHtml }} />
						<p className="report-reason">
							<strong>The reader says:</strong> {report.reason}
						</p>
						<div className="report-actions">
							<Form method="post" preventScrollReset className="actions">
								<input type="hidden" name="intent" value="dismiss" />
								<input type="hidden" name="reportId" value={report.id} />
								<button type="submit" className="secondary">
									Dismiss
								</button>
							</Form>
							{canRetract && report.standing === 'published' ? (
								<Form method="post" preventScrollReset className="retract-form">
									<input type="hidden" name="intent" value="retract" />
									<input type="hidden" name="reportId" value={report.id} />
									<input type="hidden" name="annotationId" value={report.annotationId} />
									<div className="field">
										<label htmlFor={`notice-${report.id}`}>Public notice of the retraction</label>
										<textarea id={`notice-${report.id}`} name="notice" rows={2} required maxLength={2000} />
									</div>
									<button type="submit" className="danger">
										Retract
									</button>
								</Form>
							) : null}
						</div>
					</article>
				</li>
			))}
		</ol>
	)
}
