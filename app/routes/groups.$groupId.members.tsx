import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { changeRole, createInvite, listActiveInvites, listMembers, revokeInvite } from '#app/utils/queries.server.ts'
import { assignableRoles, roleLabels, roles } from '#app/policy/permissions.ts'
import { seesRealNames } from '#app/policy/identity.ts'
import { requireGroupAccess } from '#app/utils/authz.server.ts'
import { hashToken, randomToken } from '#app/utils/crypto.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
	{ title: data ? `Members of ${data.group.name} · Scholion` : 'Members · Scholion' },
]

const inviteDays = [1, 7, 30] as const

const actionSchema = z.discriminatedUnion('intent', [
	z.object({
		intent: z.literal('invite'),
		role: z.enum(roles, { errorMap: () => ({ message: 'Choose the role the link grants.' }) }),
		days: z.coerce.number().refine((d) => (inviteDays as readonly number[]).includes(d), 'Choose how long the link works.'),
	}),
	z.object({ intent: z.literal('revoke'), inviteId: z.string().uuid() }),
	z.object({ intent: z.literal('role'), userId: z.string().uuid(), role: z.enum(roles) }),
	z.object({ intent: z.literal('remove'), userId: z.string().uuid() }),
])

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const access = await requireGroupAccess(context, user, params.groupId, 'members.view')
	const manage = access.can('members.manage')
	const [members, invites] = await Promise.all([
		listMembers(context.db, access.group.id),
		access.can('invites.manage') ? listActiveInvites(context.db, access.group.id) : Promise.resolve([]),
	])
	// Double-blind: who else belongs to the group is part of what a reviewer may not know; how many is not.
	const anonymous = !seesRealNames(access.group.identityMode, access.role)
	const shown = anonymous ? members.filter((m) => m.userId === user.id) : members
	return {
		group: { id: access.group.id, name: access.group.name },
		me: user.id,
		memberCount: members.length,
		anonymous,
		manage,
		manageInvites: access.can('invites.manage'),
		// Addresses are shown to those who manage the group only.
		members: shown.map(({ email, ...m }) => ({ ...m, email: manage ? email : null })),
		invites: invites.map((i) => ({ id: i.id, role: i.role, expiresAt: i.expiresAt.toISOString(), uses: i.uses })),
	}
}

export async function action({ request, context, params }: ActionFunctionArgs) {
	const user = await requireUser(request, context)
	const form = await request.formData()
	const parsed = actionSchema.safeParse(Object.fromEntries(form))
	if (!parsed.success) {
		return data({ error: parsed.error.issues[0]?.message ?? 'Invalid form.', inviteUrl: null }, { status: 400 })
	}
	const input = parsed.data
	switch (input.intent) {
		case 'invite': {
			const access = await requireGroupAccess(context, user, params.groupId, 'invites.manage')
			const token = randomToken()
			await createInvite(context.db, {
				groupId: access.group.id,
				tokenHash: hashToken(token),
				role: input.role,
				createdBy: user.id,
				expiresAt: new Date(Date.now() + input.days * 24 * 60 * 60 * 1000),
			})
			return { error: null, inviteUrl: `${context.appOrigin}/invite/${token}`, inviteRole: input.role }
		}
		case 'revoke': {
			const access = await requireGroupAccess(context, user, params.groupId, 'invites.manage')
			const revoked = await revokeInvite(context.db, access.group.id, input.inviteId)
			return data({ error: revoked ? null : 'That link was already revoked or has expired.', inviteUrl: null }, { status: revoked ? 200 : 400 })
		}
		case 'role':
		case 'remove': {
			const access = await requireGroupAccess(context, user, params.groupId, 'members.manage')
			const result = await changeRole(context.db, access.group.id, input.userId, input.intent === 'role' ? input.role : null)
			if (result.ok) context.access.accessChanged(access.group.id, input.userId)
			return data({ error: result.ok ? null : result.error, inviteUrl: null }, { status: result.ok ? 200 : 400 })
		}
	}
}

export default function MembersPage() {
	const { group, members, memberCount, anonymous, invites, manage, manageInvites, me } = useLoaderData<typeof loader>()
	const actionData = useActionData<typeof action>()
	return (
		<>
			<p className="breadcrumb">
				<Link to={`/groups/${group.id}`}>{group.name}</Link>
			</p>
			<h1>Members</h1>
			{actionData?.error ? (
				<p className="form-error" role="alert">
					{actionData.error}
				</p>
			) : null}
			<table>
				<caption className="muted" style={{ textAlign: 'left', marginBottom: '.5rem' }}>
					{memberCount} {memberCount === 1 ? 'member' : 'members'} of {group.name}
					{anonymous ? ': reviewing here is anonymous, so only you are listed' : ''}
				</caption>
				<thead>
					<tr>
						<th scope="col">Name</th>
						{manage ? <th scope="col">Email</th> : null}
						<th scope="col">Role</th>
						{manage ? <th scope="col">Remove</th> : null}
					</tr>
				</thead>
				<tbody>
					{members.map((member) => (
						<tr key={member.userId}>
							<td>
								<span className="who">
									<span className="swatch" style={{ background: member.color }} aria-hidden="true" />
									{member.name}
									{member.userId === me ? ' (you)' : ''}
								</span>
							</td>
							{manage ? <td>{member.email}</td> : null}
							<td>
								{manage ? (
									<Form method="post" className="actions">
										<input type="hidden" name="intent" value="role" />
										<input type="hidden" name="userId" value={member.userId} />
										<label className="sr-only" htmlFor={`role-${member.userId}`}>
											Role of {member.name}
										</label>
										<select id={`role-${member.userId}`} name="role" defaultValue={member.role}>
											{roles.map((r) => (
												<option key={r} value={r}>
													{roleLabels[r]}
												</option>
											))}
										</select>
										<button type="submit" className="secondary" aria-label={`Save role of ${member.name}`}>
											Save
										</button>
									</Form>
								) : (
									roleLabels[member.role]
								)}
							</td>
							{manage ? (
								<td>
									<Form method="post">
										<input type="hidden" name="intent" value="remove" />
										<input type="hidden" name="userId" value={member.userId} />
										<button type="submit" className="danger" aria-label={`Remove ${member.name} from the group`}>
											Remove
										</button>
									</Form>
								</td>
							) : null}
						</tr>
					))}
				</tbody>
			</table>
			{manageInvites ? (
				<>
					<h2>Invite by link</h2>
					<p className="muted">Anyone with the link can join with the role you choose until it expires or you revoke it.</p>
					<Form method="post" className="form">
						<input type="hidden" name="intent" value="invite" />
						<div className="field">
							<label htmlFor="invite-role">Role</label>
							<select id="invite-role" name="role" defaultValue="reviewer">
								{assignableRoles.map((r) => (
									<option key={r} value={r}>
										{roleLabels[r]}
									</option>
								))}
							</select>
						</div>
						<div className="field">
							<label htmlFor="invite-days">Link works for</label>
							<select id="invite-days" name="days" defaultValue="7">
								{inviteDays.map((d) => (
									<option key={d} value={d}>
										{d === 1 ? '1 day' : `${d} days`}
									</option>
								))}
							</select>
						</div>
						<div className="actions">
							<button type="submit">Create invite link</button>
						</div>
					</Form>
					{actionData?.inviteUrl ? (
						<div className="notice" role="status" style={{ marginTop: '1rem' }}>
							<label htmlFor="invite-url">
								New {roleLabels[actionData.inviteRole ?? 'reader'].toLowerCase()} link — copy it now; for safety it is
								shown only once:
							</label>
							<input
								id="invite-url"
								className="invite-link"
								readOnly
								value={actionData.inviteUrl}
								style={{ width: '100%', marginTop: '.4rem' }}
								onFocus={(e) => e.currentTarget.select()}
							/>
						</div>
					) : null}
					<h3>Active links</h3>
					{invites.length === 0 ? (
						<p className="empty">No active invite links.</p>
					) : (
						<ul>
							{invites.map((invite) => (
								<li key={invite.id} className="actions">
									<span>
										{roleLabels[invite.role]} link, expires {new Date(invite.expiresAt).toUTCString()}, used {invite.uses}{' '}
										{invite.uses === 1 ? 'time' : 'times'}
									</span>
									<Form method="post">
										<input type="hidden" name="intent" value="revoke" />
										<input type="hidden" name="inviteId" value={invite.id} />
										<button type="submit" className="secondary">
											Revoke
										</button>
									</Form>
								</li>
							))}
						</ul>
					)}
				</>
			) : null}
		</>
	)
}
