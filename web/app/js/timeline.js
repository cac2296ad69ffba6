// A ticket's history in plain words: each engine record says who did what, when, and under
// which rule. The words come from the record's own fields, never from guesses.
import { h } from './dom.js';
import { lang, t, verbLabel } from './i18n.js';
import { time } from './format.js';
import { deptName, stateTitle, ticketTitle } from './reference.js';
import { gallery } from './attachments.js';

const list = (xs) => (xs || []).map(deptName).join(lang() === 'zh' ? '、' : ', ');

// [english, chinese] sentence builders per record type; `b` is the body, `tk` the ticket.
const SENTENCES = {
  TicketOpened: (b) => [
    `Opened as “${ticketTitle(b)}” (${b.category || 'uncategorised'}, ${b.severity || 'unknown'} severity) in “${stateTitle(b.workflow, b.state)}”.`,
    `立单：“${ticketTitle(b)}”（${b.category || '未分类'}，${b.severity || 'unknown'}），进入“${stateTitle(b.workflow, b.state)}”。`,
  ],
  TicketRouted: (b) => [
    `Routed to ${deptName(b.lead_department)}${b.assist_departments?.length ? `, assisted by ${list(b.assist_departments)}` : ''}.`,
    `派发至${deptName(b.lead_department)}主办${b.assist_departments?.length ? `，${list(b.assist_departments)}协办` : ''}。`,
  ],
  TicketTransitioned: (b, tk) => [
    `Moved from “${stateTitle(tk.workflow, b.from_state)}” to “${stateTitle(tk.workflow, b.to_state)}” (${b.trigger ? verbLabel(b.trigger) : 'timer'}).`,
    `由“${stateTitle(tk.workflow, b.from_state)}”转入“${stateTitle(tk.workflow, b.to_state)}”（${b.trigger ? verbLabel(b.trigger) : '定时'}）。`,
  ],
  TicketSignedFor: (b) => [`Signed for by ${deptName(b.department)}.`, `${deptName(b.department)}签收。`],
  TicketReturned: (b) => [
    `Returned by ${deptName(b.from_department)}${b.to_department ? ` towards ${deptName(b.to_department)}` : ''}: “${b.reason}” (return no. ${b.returns || 1}; the clock keeps running).`,
    `${deptName(b.from_department)}退单${b.to_department ? `，建议转${deptName(b.to_department)}` : ''}：“${b.reason}”（第 ${b.returns || 1} 次退单，时限不重置）。`,
  ],
  TicketTransferred: (b) => [
    `Transferred from ${deptName(b.from_department)} to ${deptName(b.to_department)}${b.reason ? `: “${b.reason}”` : ''}.`,
    `由${deptName(b.from_department)}转办至${deptName(b.to_department)}${b.reason ? `：“${b.reason}”` : ''}。`,
  ],
  ExtensionRequested: (b) => [
    `Asked for ${b.days} more working day(s)${b.reason ? `: “${b.reason}”` : ''}.`,
    `申请延期 ${b.days} 个工作日${b.reason ? `：“${b.reason}”` : ''}。`,
  ],
  TicketExtended: (b) => [
    `Extension of ${b.days} working day(s) approved; new deadline ${time(b.deadline_at)} (extension no. ${b.extensions}).`,
    `批准延期 ${b.days} 个工作日，新时限 ${time(b.deadline_at)}（第 ${b.extensions} 次延期）。`,
  ],
  ExtensionDenied: (b) => [
    `Extension denied${b.reason ? `: “${b.reason}”` : ''}.`,
    `驳回延期${b.reason ? `：“${b.reason}”` : ''}。`,
  ],
  TicketProgressed: (b) => [`Progress: “${b.note || ''}”.`, `登记进展：“${b.note || ''}”。`],
  EvidenceSubmitted: (b) => [
    `Rectification evidence submitted (${(b.evidence || []).length} item(s))${b.note ? `: “${b.note}”` : ''}.`,
    `提交整改材料（${(b.evidence || []).length} 项）${b.note ? `：“${b.note}”` : ''}。`,
  ],
  EventAttached: (b) => [
    `A further report (${b.event_id}) was attached${b.reason ? `: ${b.reason}` : ''}.`,
    `后续报告（${b.event_id}）并入本单${b.reason ? `：${b.reason}` : ''}。`,
  ],
  TicketResolved: (b) => [
    `Resolved: ${b.resolution}${b.note ? ` — “${b.note}”` : ''}.`,
    `办结结论：${b.resolution}${b.note ? `——“${b.note}”` : ''}。`,
  ],
  TicketReviewed: (b) => [
    `Review ${b.passed ? 'passed' : 'failed'}${b.note ? `: “${b.note}”` : ''}.`,
    `复查${b.passed ? '通过' : '不通过'}${b.note ? `：“${b.note}”` : ''}。`,
  ],
  TicketReopened: (b) => [
    `Reopened${b.reason ? `: ${b.reason}` : ''} (reopen no. ${b.reopens}).`,
    `重新办理${b.reason ? `：${b.reason}` : ''}（第 ${b.reopens} 次）。`,
  ],
  TicketReminded: (b) => [
    `Reminder sent to ${(b.to || []).join(', ') || 'the assignee'}: due ${time(b.deadline_at)}.`,
    `向${(b.to || []).join('、') || '承办人'}发出提醒：${time(b.deadline_at)} 到期。`,
  ],
  TicketOverdue: (b) => [
    `Overdue: the deadline ${time(b.deadline_at)} passed (overdue no. ${b.overdue_count}).`,
    `超期：时限 ${time(b.deadline_at)} 已过（第 ${b.overdue_count} 次超期）。`,
  ],
  TicketEscalated: (b) => {
    const en = {
      notify_head: 'head of unit notified',
      escalate_parent: 'escalated to the superior office',
      arbitration: 'sent to the safety-committee office for arbitration',
      discipline: 'sent to the discipline inspectors',
    };
    const zh = {
      notify_head: '通报单位负责人',
      escalate_parent: '升级至上级机关',
      arbitration: '提交安委办协调裁决',
      discipline: '移送纪委监委',
    };
    const to = b.to_department ? ` (${deptName(b.to_department)})` : '';
    return [
      `Escalation step ${b.level || ''}: ${en[b.action] || b.action || 'step'}${to}${b.reason ? ` — ${b.reason}` : ''}.`,
      `升级第 ${b.level || ''} 级：${zh[b.action] || b.action || '升级'}${to}${b.reason ? `——${b.reason}` : ''}。`,
    ];
  },
  TicketChained: (b) => [
    `Opened the chained ticket ${b.child_ticket_id} (${b.child_workflow})${b.reason ? `: ${b.reason}` : ''}.`,
    `生成关联工单 ${b.child_ticket_id}（${b.child_workflow}）${b.reason ? `：${b.reason}` : ''}。`,
  ],
  ResourcesDispatched: (b) => [
    `Dispatched under plan ${b.plan || '—'}: teams ${(b.teams || []).join(', ') || '—'}, materials ${(b.materials || []).join(', ') || '—'}, experts ${(b.experts || []).join(', ') || '—'} (double-random seed ${b.seed}).`,
    `按预案 ${b.plan || '—'} 调度：队伍 ${(b.teams || []).join('、') || '—'}，物资 ${(b.materials || []).join('、') || '—'}，专家 ${(b.experts || []).join('、') || '—'}（双随机种子 ${b.seed}）。`,
  ],
  TicketClosed: (b, tk) => [
    `Closed${b.outcome ? `: ${b.outcome}` : ''}.`,
    `结案${b.outcome ? `：${b.outcome}` : ''}。`,
  ],
  CommandRejected: (b) => [
    `Refused “${verbLabel(b.verb || '')}”: ${b.message}.`,
    `拒绝“${verbLabel(b.verb || '')}”：${b.message}。`,
  ],
  DutyPaged: (b) => [
    `Paged ${b.person} of duty roster ${b.roster} (${(b.position || 0) + 1} of ${(b.order || []).length}, shift ${b.shift}); to acknowledge by ${time(b.ack_by)}.`,
    `值班呼叫：${b.roster} 的 ${b.person}（第 ${(b.position || 0) + 1}/${(b.order || []).length} 位，${b.shift} 班），须于 ${time(b.ack_by)} 前确认。`,
  ],
  PageAcknowledged: (b) => [
    `${b.person} acknowledged the page (${b.via === 'token' ? 'by the link' : 'signed in'}) after ${Math.round((b.after_ms || 0) / 60000)} min.`,
    `${b.person} 确认收到呼叫（${b.via === 'token' ? '通过链接' : '登录确认'}），用时 ${Math.round((b.after_ms || 0) / 60000)} 分钟。`,
  ],
  PagingExhausted: (b) => [
    `Nobody of duty roster ${b.roster} acknowledged (${b.paged} paged).`,
    `值班表 ${b.roster} 无人确认（已呼叫 ${b.paged} 人）。`,
  ],
};

export function sentence(record, ticket) {
  if (record.error) {
    return lang() === 'zh' ? `服务器无法解码此记录（${record.error}）。` : `The server could not decode this record (${record.error}).`;
  }
  const make = SENTENCES[record.body_type];
  if (!make) return `${record.body_type}`;
  const [en, zh] = make(record.body || {}, ticket);
  return lang() === 'zh' ? zh : en;
}

// The ordered list of a ticket's records; each item carries its time, actor and rule.
export function timeline(records, ticket) {
  return h(
    'ol.timeline',
    { 'aria-label': t('ticket.timeline') },
    records.map((r) => {
      const b = r.body || {};
      const who = r.actor || (r.source === 'engine' ? 'closeloop' : r.source);
      return h(
        `li.tl-${r.body_type}`,
        r.recorded_at ? h('time', { datetime: new Date(r.recorded_at).toISOString() }, time(r.recorded_at)) : null,
        h('span.tl-text', sentence(r, ticket)),
        r.body_type === 'EvidenceSubmitted' && (b.evidence || []).length ? gallery(b.evidence) : null,
        h(
          'span.tl-meta',
          who ? t('ticket.by', { who }) : '',
          b.rule ? ` · ${t('ticket.rule', { rule: b.rule })}` : '',
          // The record's SHA-256, when the server sends it (the evidence bundle always has it).
          r.hash ? h('code.hash', { title: r.hash }, ` #${r.hash.slice(0, 10)}`) : null,
        ),
      );
    }),
  );
}
