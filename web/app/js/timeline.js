// A ticket's history in plain words: each engine record says who did what, when, and under
// which rule. The words come from the record's own fields, never from guesses.
import { h } from './dom.js';
import { labelOf, lang, t } from './i18n.js';
import { time } from './format.js';
import { categoryName, deptName, stateTitle, ticketTitle, verbTitle, workflowTitle } from './reference.js';
import { gallery } from './attachments.js';

const list = (xs) => (xs || []).map(deptName).join(lang() === 'zh' ? '、' : ', ');

// What moved a ticket: a verb (by its declared title), an event type, or a deadline.
function trigger(name, tk) {
  if (!name) return t('tl.timer');
  if (/^[A-Z]/.test(name)) return labelOf('evt', name);
  return verbTitle(name, tk.workflow);
}

// Whom a reminder went to: departments by name, roles and "assignee" in words.
function recipients(to) {
  const names = (to || []).map((x) => (x === 'assignee' ? t('tl.assignee') : t(`role.${x}`) !== `role.${x}` ? t(`role.${x}`) : deptName(x)));
  return names.length ? names.join(lang() === 'zh' ? '、' : ', ') : t('tl.assignee');
}

// Where an escalation to the parent came from: the department named in the engine's reason
// ("overdue at ID: ...") when it gives one, else the lead.
function escalatedFrom(b, tk) {
  const m = /^overdue at (\S+):/.exec(b.reason || '');
  return m ? m[1] : tk.lead;
}

// The engine's few fixed reasons in words ("dedup within 30 days", "escalation step X").
const UNITS = { minutes: ['minute(s)', '分钟'], hours: ['hour(s)', '小时'], days: ['day(s)', '天'], 'working days': ['working day(s)', '个工作日'] };
function engineReason(reason) {
  const zh = lang() === 'zh';
  let m = /^dedup within (\d+) (working days|minutes|hours|days)$/.exec(reason);
  if (m) return t('tl.dedup', { window: `${m[1]} ${UNITS[m[2]][zh ? 1 : 0]}` });
  m = /^escalation step (\S+)$/.exec(reason);
  if (m) return t('tl.chain_step', { step: labelOf('step', m[1]) });
  return reason;
}

// A rule as people read it: a routing table's row by its number, a transition by its state
// and verb (or event, or time), a ladder step by its catalogued name (i18n.js `step.*`).
function ruleText(rule, tk) {
  let m = /^rows\[(\d+)\]/.exec(rule);
  if (m) return t('tl.row', { n: Number(m[1]) + 1 });
  m = /^kind ([a-z_]+)( \(city\)| of [a-z0-9_]+)$/.exec(rule);
  if (m) return t(m[2] === ' (city)' ? 'tl.kind_city' : 'tl.kind', { kind: labelOf('kind', m[1]) });
  if (rule.startsWith('fallback')) return t('tl.fallback');
  m = /^([a-z0-9_]+)\/(.+)$/.exec(rule);
  if (m) {
    const state = stateTitle(tk.workflow, m[1]);
    const ev = /^event (\w+)$/.exec(m[2]);
    const after = /^after (\d+) (working days|minutes|hours|days)$/.exec(m[2]);
    const what = ev ? labelOf('evt', ev[1]) : after ? t('tl.after', { d: `${after[1]} ${UNITS[after[2]][lang() === 'zh' ? 1 : 0]}` }) : verbTitle(m[2], tk.workflow);
    return t('tl.transition', { state, what });
  }
  return labelOf('step', rule);
}

// The name of who acted: the engine and its timers in words, a person by their user name.
function actorName(who) {
  const known = labelOf('actor', who);
  return known !== String(who).replace(/_/g, ' ') ? known : who;
}

// [english, chinese] sentence builders per record type; `b` is the body, `tk` the ticket.
const SENTENCES = {
  TicketOpened: (b) => [
    `Opened as “${ticketTitle(b)}” (${b.category ? categoryName(b.category) : 'uncategorised'}, ${t(`sev.${b.severity || 'unknown'}`)} severity) in “${stateTitle(b.workflow, b.state)}”.`,
    `立单：“${ticketTitle(b)}”（${b.category ? categoryName(b.category) : '未分类'}，${t(`sev.${b.severity || 'unknown'}`)}），进入“${stateTitle(b.workflow, b.state)}”。`,
  ],
  TicketRouted: (b) => [
    `Routed to ${deptName(b.lead_department)}${b.assist_departments?.length ? `, assisted by ${list(b.assist_departments)}` : ''}.`,
    `派发至${deptName(b.lead_department)}主办${b.assist_departments?.length ? `，${list(b.assist_departments)}协办` : ''}。`,
  ],
  TicketTransitioned: (b, tk) => [
    `Moved from “${stateTitle(tk.workflow, b.from_state)}” to “${stateTitle(tk.workflow, b.to_state)}” (${trigger(b.trigger, tk)}).`,
    `由“${stateTitle(tk.workflow, b.from_state)}”转入“${stateTitle(tk.workflow, b.to_state)}”（${trigger(b.trigger, tk)}）。`,
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
    `A further report (${b.event_id}) was attached${b.reason ? `: ${engineReason(b.reason)}` : ''}.`,
    `后续报告（${b.event_id}）并入本单${b.reason ? `：${engineReason(b.reason)}` : ''}。`,
  ],
  TicketResolved: (b) => [
    `Resolved: ${labelOf('val', b.resolution)}${b.note ? ` — “${b.note}”` : ''}.`,
    `办结结论：${labelOf('val', b.resolution)}${b.note ? `——“${b.note}”` : ''}。`,
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
    `Reminder sent to ${recipients(b.to)}: due ${time(b.deadline_at)}.`,
    `向${recipients(b.to)}发出提醒：${time(b.deadline_at)} 到期。`,
  ],
  TicketOverdue: (b) => [
    `Overdue: the deadline ${time(b.deadline_at)} passed (overdue no. ${b.overdue_count}).`,
    `超期：时限 ${time(b.deadline_at)} 已过（第 ${b.overdue_count} 次超期）。`,
  ],
  // The engine's reason is English machine text naming ids: the sentence is made here from
  // the step's action and its departments, by name.
  TicketEscalated: (b, tk) => {
    const to = deptName(b.to_department);
    const said = {
      notify_head: () => t('tl.notify_head', { dept: deptName(tk.lead) }),
      escalate_parent: () => t('tl.escalate_parent', { from: deptName(escalatedFrom(b, tk)), to }),
      arbitration: () => t('tl.arbitration', { n: tk.returns || 1, to }),
      lead_city: () => t('tl.lead_city', { to }),
    }[b.action];
    const en = { discipline: 'sent to the discipline inspectors' };
    const zh = { discipline: '移送纪委监委' };
    const step = t('tl.step', { level: b.level || '' });
    if (said) return [`${step} ${said()}`, `${step}${said()}`];
    const where = b.to_department ? ` (${to})` : '';
    return [
      `${step} ${en[b.action] || labelOf('val', b.action || 'step')}${where}.`,
      `${step}${zh[b.action] || labelOf('val', b.action || 'step')}${b.to_department ? `（${to}）` : ''}。`,
    ];
  },
  TicketChained: (b) => [
    `Opened the chained ticket ${b.child_ticket_id} (${workflowTitle(b.child_workflow)})${b.reason ? `: ${engineReason(b.reason)}` : ''}.`,
    `生成关联工单 ${b.child_ticket_id}（${workflowTitle(b.child_workflow)}）${b.reason ? `：${engineReason(b.reason)}` : ''}。`,
  ],
  ResourcesDispatched: (b) => [
    `Dispatched under plan ${b.plan || '—'}: teams ${(b.teams || []).join(', ') || '—'}, materials ${(b.materials || []).join(', ') || '—'}, experts ${(b.experts || []).join(', ') || '—'} (double-random seed ${b.seed}).${(b.shortages || []).length ? ' Some materials are short.' : ''}`,
    `按预案 ${b.plan || '—'} 调度：队伍 ${(b.teams || []).join('、') || '—'}，物资 ${(b.materials || []).join('、') || '—'}，专家 ${(b.experts || []).join('、') || '—'}（双随机种子 ${b.seed}）。${(b.shortages || []).length ? '部分物资存在缺口。' : ''}`,
  ],
  ResourcesReleased: (b) => [
    `Released ${[...(b.teams || []), ...(b.experts || [])].join(', ') || '—'}${b.reason ? ` (${b.reason === 'stand_down' ? 'stand-down' : b.reason})` : ''}: they may be sent to other incidents.`,
    `释放 ${[...(b.teams || []), ...(b.experts || [])].join('、') || '—'}${b.reason ? `（${b.reason === 'stand_down' ? '响应终止' : b.reason}）` : ''}，可调派至其他事件。`,
  ],
  ExpertAnswered: (b) =>
    b.accepted
      ? [`Expert ${b.expert} accepted.`, `专家 ${b.expert} 确认接受。`]
      : [
          `Expert ${b.expert} declined${b.reason ? `: ${b.reason}` : ''}; ${b.replacement ? `${b.replacement} drawn in their place (seed ${b.seed}, from ${(b.qualified || []).length} qualified)` : 'nobody qualified is left to draw'}.`,
          `专家 ${b.expert} 谢绝${b.reason ? `（${b.reason}）` : ''}；${b.replacement ? `重新抽取 ${b.replacement} 替补（种子 ${b.seed}，合格专家 ${(b.qualified || []).length} 名）` : '已无合格专家可抽取'}。`,
        ],
  TicketClosed: (b, tk) => [
    `Closed${b.outcome ? `: ${labelOf('val', b.outcome)}` : ''}.`,
    `结案${b.outcome ? `：${labelOf('val', b.outcome)}` : ''}。`,
  ],
  CommandRejected: (b, tk) => [
    `Refused “${verbTitle(b.verb || '', tk.workflow)}”: ${b.message}.`,
    `拒绝“${verbTitle(b.verb || '', tk.workflow)}”（${t('err.detail', { message: b.message })}）。`,
  ],
  DutyPaged: (b) => [
    `Paged ${b.person} of duty roster ${b.roster} (${(b.position || 0) + 1} of ${(b.order || []).length}, shift ${b.shift}); to acknowledge by ${time(b.ack_by)}.`,
    `值班呼叫：${b.roster} 的 ${b.person}（第 ${(b.position || 0) + 1}/${(b.order || []).length} 位，${b.shift} 班），须于 ${time(b.ack_by)} 前确认。`,
  ],
  PageAcknowledged: (b) => [
    `${b.person} acknowledged the page (${b.via === 'token' ? 'by the link' : 'signed in'}) after ${Math.round((b.after_ms || 0) / 60000)} min.`,
    `${b.person} 确认收到呼叫（${b.via === 'token' ? '通过链接' : '登录确认'}），用时 ${Math.round((b.after_ms || 0) / 60000)} 分钟。`,
  ],
  // 承办人: a person of the lead department named, changed, or the assignment ended.
  TicketAssigned: (b) => {
    const who = (user, name) => (name ? `${name} (${user})` : user);
    const why = b.reason ? ` — “${b.reason}”` : '';
    const whyZh = b.reason ? `——“${b.reason}”` : '';
    const moved = /^the lead moved from (\S+) to (\S+)$/.exec(b.reason || '');
    if (!b.assignee && moved) {
      return [
        `Assignment of ${who(b.previous, b.previous_name)} ended: the lead moved from ${deptName(moved[1])} to ${deptName(moved[2])}.`,
        `主办单位由${deptName(moved[1])}改为${deptName(moved[2])}，${who(b.previous, b.previous_name)} 不再承办。`,
      ];
    }
    if (!b.assignee) return [`Assignment of ${who(b.previous, b.previous_name)} withdrawn${why}.`, `撤销 ${who(b.previous, b.previous_name)} 的承办${whyZh}。`];
    if (b.previous) {
      return [
        `Reassigned from ${who(b.previous, b.previous_name)} to ${who(b.assignee, b.assignee_name)}${why}.`,
        `承办人由 ${who(b.previous, b.previous_name)} 改为 ${who(b.assignee, b.assignee_name)}${whyZh}。`,
      ];
    }
    return [`Assigned to ${who(b.assignee, b.assignee_name)}${why}.`, `指定 ${who(b.assignee, b.assignee_name)} 为承办人${whyZh}。`];
  },
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

// What a dispatch sent, leg by leg: each team and depot with its distance and whether it is
// measured by road or as the straight line, what each depot has left, what is short, and who
// was passed over and why (ResourcesDispatched, docs/events.md).
const WHY = {
  committed: ['committed to incident', '已派往事件'],
  no_stock: ['no stock left', '库存已空'],
  on_leave: ['on leave', '休假'],
  off_duty: ['off duty', '不在岗'],
  employer: ['employed by the enterprise concerned', '受雇于事发企业'],
  conflict: ['declared a conflict with the enterprise', '申报与事发企业有利害关系'],
  declined: ['declined this incident', '已谢绝本事件'],
};
function km(metres, distance) {
  const zh = lang() === 'zh';
  const n = ((metres || 0) / 1000).toFixed(1);
  if (distance === 'road') return zh ? `道路 ${n} 公里` : `${n} km by road`;
  return zh ? `直线 ${n} 公里` : `${n} km straight line`;
}
export function dispatchDetail(b) {
  const zh = lang() === 'zh';
  const items = [];
  for (const leg of b.team_legs || []) {
    items.push(h('li.leg-team', `${leg.team}${leg.type ? ` (${leg.type})` : ''} — `, h(`span.dist-${leg.distance || 'unknown'}`, km(leg.metres, leg.distance))));
  }
  for (const m of b.material_legs || []) {
    items.push(
      h(
        'li.leg-material',
        zh ? `${m.item} ${m.quantity || 0}${m.unit || ''}，自 ${m.depot} — ` : `${m.item} ${m.quantity || 0} ${m.unit || ''} from ${m.depot} — `,
        h(`span.dist-${m.distance || 'unknown'}`, km(m.metres, m.distance)),
        zh ? `；余 ${m.left || 0}` : `; ${m.left || 0} left`,
      ),
    );
  }
  for (const s of b.shortages || []) {
    items.push(h('li.shortage', zh ? `缺口：${s.item} 需 ${s.requested}，缺 ${s.missing}` : `Short: ${s.item}, ${s.missing} of ${s.requested} not available`));
  }
  for (const u of b.unfilled || []) {
    items.push(h('li.shortage', zh ? `无空闲队伍：${u}` : `No free team: ${u}`));
  }
  for (const p of b.passed_over || []) {
    const why = WHY[p.reason] || [p.reason, p.reason];
    items.push(h('li.passed', zh ? `跳过 ${p.id}：${why[1]}${p.holder ? ` ${p.holder}` : ''}` : `Passed over ${p.id}: ${why[0]}${p.holder ? ` ${p.holder}` : ''}`));
  }
  if (!items.length) return null;
  return h('ul.dispatch-legs', { 'aria-label': zh ? '调度明细' : 'What was sent' }, items);
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
        r.body_type === 'ResourcesDispatched' ? dispatchDetail(b) : null,
        h(
          'span.tl-meta',
          who ? t('tl.by', { who: actorName(who) }) : '',
          b.rule ? ` · ${t('tl.rule', { rule: ruleText(b.rule, ticket) })}` : '',
          // The record's SHA-256, when the server sends it (the evidence bundle always has it).
          r.hash ? h('code.hash', { title: r.hash }, ` #${r.hash.slice(0, 10)}`) : null,
        ),
      );
    }),
  );
}
