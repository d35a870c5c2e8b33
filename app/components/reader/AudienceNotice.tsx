import type { Audience } from '#app/policy/identity.ts'

/**
 * Says, on a published page, that it is not public: a member who shares its
 * address should know that others will find nothing there. Nothing for a
 * public page (and `none` is never shown: nobody may read it here).
 */
export function AudienceNotice({ audience, groupName }: { audience: Audience; groupName: string }) {
	if (audience !== 'members') return null
	return (
		<p className="notice audience-notice" role="note">
			{`Visible to members of ${groupName} only.`}
		</p>
	)
}
