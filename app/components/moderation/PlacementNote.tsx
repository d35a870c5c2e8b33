import type { PlacementView } from './types.ts'

/** Where approving would publish the annotation, in words a moderator can act on. */
export function PlacementNote({ placement, documentTitle }: { placement: PlacementView; documentTitle: string }) {
	const { status, editionNumber } = placement
	switch (status) {
		case 'exact':
			return <p className="placement placement-exact">Would be published on edition {editionNumber}, on the same words.</p>
		case 'fuzzy':
			return (
				<p className="placement placement-fuzzy">
					<strong>Approximate placement — needs confirmation.</strong> On edition {editionNumber} the words were found only
					approximately ({Math.round(placement.confidence * 100)}% match): “{placement.exact}”.
				</p>
			)
		case 'orphaned':
			return (
				<p className="placement placement-orphaned">
					<strong>Orphaned on edition {editionNumber}:</strong> the annotated words are not in it, so an approval will be refused.
					Freeze a new edition of “{documentTitle}”, or ask the author to anchor it to text that is in the edition.
				</p>
			)
		case 'no-edition':
			return (
				<p className="placement placement-none">
					No edition yet: publishing freezes edition 1 of “{documentTitle}”.
				</p>
			)
		case 'reply':
			return <p className="placement placement-reply">A reply: published beside the annotation it answers, on that annotation’s edition.</p>
	}
}
