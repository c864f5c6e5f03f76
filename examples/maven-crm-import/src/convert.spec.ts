import { describe, expect, it } from 'vitest';
import type { MavenCommand, OpenOpportunityInput, RegisterCustomerInput, RegisterMemberInput } from './commands.ts';
import { convertMavenDataset, mavenSetupAt } from './convert.ts';
import { parseMavenCsv, type MavenCsvTexts } from './csv.ts';
import { miniatureCsv as csv } from './miniature.test.ts';

const convert = (overrides: Partial<MavenCsvTexts> = {}) => convertMavenDataset(parseMavenCsv(csv(overrides)));
const named = <Name extends MavenCommand['command']>(commands: readonly MavenCommand[], name: Name) =>
  commands.filter((command): command is Extract<MavenCommand, { command: Name }> => command.command === name);
const byId = (commands: readonly MavenCommand[], id: string): MavenCommand => {
  const found = commands.find((command) => command.id === id);
  if (found === undefined) throw new Error(`no command ${id}`);
  return found;
};

describe('convertMavenDataset: setup', () => {
  it('registers the admin as system, then configures the two-stage pipeline and registers the team as that admin, all at setup time', () => {
    const { commands } = convert();
    expect(commands.slice(0, 2)).toEqual([
      { command: 'RegisterMember', id: 'maven.member.maven-admin', actor: 'system', at: mavenSetupAt, data: { memberId: 'maven-admin', name: 'Maven import admin', role: 'admin' } },
      {
        command: 'Configure',
        id: 'maven.configure.pipeline',
        actor: 'maven-admin',
        at: mavenSetupAt,
        data: { pipeline: { stages: [{ id: 'prospecting', probability: 10 }, { id: 'engaging', probability: 60 }] } },
      },
    ]);
  });

  it('puts each agent in its manager\'s team, named after the regional office and the manager; managers lead their own team', () => {
    const { commands, ids } = convert();
    const members = named(commands, 'RegisterMember').map((command: RegisterMemberInput) => command.data);
    expect(members).toContainEqual({ memberId: 'dustin-brinkmann', name: 'Dustin Brinkmann', role: 'manager', team: 'central.dustin-brinkmann' });
    expect(members).toContainEqual({ memberId: 'anna-snelling', name: 'Anna Snelling', role: 'rep', team: 'central.dustin-brinkmann' });
    expect(members).toContainEqual({ memberId: 'violet-mclelland', name: 'Violet Mclelland', role: 'rep', team: 'east.cara-losch' });
    expect(ids.teams.get('Cara Losch')).toBe('east.cara-losch');
    expect(named(commands, 'RegisterMember').filter((command) => command.data.role !== 'admin').every((command) => command.actor === 'maven-admin')).toBe(true);
  });

  it('registers agents without any opportunity too, and lists them', () => {
    const { commands, summary } = convert();
    expect(named(commands, 'RegisterMember').map((command) => command.data.memberId)).toContain('mei-mei-johns');
    expect(summary.members).toEqual({ admins: 1, managers: 3, agents: 4, agentsWithoutOpportunities: ['Mei-Mei Johns'] });
  });
});

describe('convertMavenDataset: customers', () => {
  it('registers each account as system, owned by the agent with the most opportunities on it, with a made-up deterministic email', () => {
    const { commands } = convert();
    expect(byId(commands, 'maven.customer.acme-corporation')).toEqual({
      command: 'RegisterCustomer',
      id: 'maven.customer.acme-corporation',
      actor: 'system',
      at: mavenSetupAt,
      data: {
        customerId: 'acme-corporation',
        name: 'Acme Corporation',
        kind: 'company',
        email: 'acme-corporation@maven-crm.example',
        industry: 'technology',
        region: 'United States',
        source: 'other',
        importance: 'B',
        owner: 'anna-snelling',
      },
    });
  });

  it('corrects the misspelled sector "technolgy" and counts the correction', () => {
    const { summary } = convert();
    expect(summary.corrections.sectors).toEqual({ technolgy: { industry: 'technology', accounts: 1 } });
  });

  it('grades importance by revenue: A from 2,000 M$, B from 500 M$, else C', () => {
    const importance = (customerId: string) => (byId(convert().commands, `maven.customer.${customerId}`) as RegisterCustomerInput).data.importance;
    expect([importance('gekko-co'), importance('acme-corporation'), importance('condax')]).toEqual(['A', 'B', 'C']);
  });

  it('breaks an ownership tie by the lowest member id', () => {
    const { commands } = convert({
      pipeline: [
        'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value',
        'A1,Moses Frase,GTX Basic,Condax,Engaging,2017-01-01,,',
        'A2,Anna Snelling,GTX Basic,Condax,Engaging,2017-01-02,,',
      ].join('\n'),
    });
    expect((byId(commands, 'maven.customer.condax') as RegisterCustomerInput).data.owner).toBe('anna-snelling');
  });

  it('registers an account without opportunities to the pool', () => {
    const { commands, summary } = convert();
    const quiet = byId(commands, 'maven.customer.quiet-account') as RegisterCustomerInput;
    expect(quiet.data.toPool).toBe(true);
    expect(quiet.data.owner).toBeUndefined();
    expect(summary.customers).toEqual({ accounts: 4, owned: 3, inPool: 1, unknownAccount: 1 });
  });

  it('books opportunities without an account on one stand-in customer per agent, owned by that agent', () => {
    const { commands, ids, summary } = convert();
    const standIns = named(commands, 'RegisterCustomer').filter((command) => command.data.customerId.startsWith('unknown.'));
    expect(standIns.map((command) => command.data)).toEqual([
      {
        customerId: 'unknown.moses-frase',
        name: 'Unknown account (Moses Frase)',
        kind: 'company',
        email: 'unknown.moses-frase@maven-crm.example',
        source: 'other',
        importance: 'C',
        owner: 'moses-frase',
      },
    ]);
    expect((byId(commands, 'maven.open.ENG00002') as OpenOpportunityInput).data.customerId).toBe('unknown.moses-frase');
    expect((byId(commands, 'maven.open.PRO00002') as OpenOpportunityInput).data.customerId).toBe('unknown.moses-frase');
    expect(ids.unknownAccounts).toEqual(new Map([['Moses Frase', 'unknown.moses-frase']]));
    expect(summary.opportunities.withoutAccount).toBe(2);
  });
});

describe('convertMavenDataset: opportunities', () => {
  it('opens a won deal at its engage date in engaging at the list price, then wins it at its close date for close_value', () => {
    const { commands } = convert();
    expect(byId(commands, 'maven.open.WON00001')).toEqual({
      command: 'OpenOpportunity',
      id: 'maven.open.WON00001',
      actor: 'system',
      at: '2016-10-25T00:00:00.000Z',
      data: {
        opportunityId: 'WON00001',
        customerId: 'acme-corporation',
        title: 'GTX Pro for Acme Corporation',
        amount: { amount: '4821', currency: 'USD' },
        expectedCloseDate: '2016-12-09',
        stage: 'engaging',
        owner: 'anna-snelling',
      },
    });
    expect(byId(commands, 'maven.win.WON00001')).toEqual({
      command: 'WinOpportunity',
      id: 'maven.win.WON00001',
      actor: 'system',
      at: '2017-03-11T00:00:00.000Z',
      data: { opportunityId: 'WON00001', amount: { amount: '4514', currency: 'USD' } },
    });
  });

  it('matches the pipeline\'s "GTXPro" to the product list\'s "GTX Pro" and counts it', () => {
    const { summary } = convert();
    expect(summary.corrections.productNames).toEqual({ GTXPro: { product: 'GTX Pro', rows: 1 } });
  });

  it('loses a lost deal at its close date for reason other, keeping the list price as its amount (close_value is 0)', () => {
    const { commands } = convert();
    expect((byId(commands, 'maven.open.LOST0001') as OpenOpportunityInput).data.amount).toEqual({ amount: '550', currency: 'USD' });
    expect(byId(commands, 'maven.lose.LOST0001')).toEqual({
      command: 'LoseOpportunity',
      id: 'maven.lose.LOST0001',
      actor: 'system',
      at: '2017-03-08T00:00:00.000Z',
      data: { opportunityId: 'LOST0001', reason: 'other' },
    });
  });

  it('leaves Engaging deals open in engaging, expected to close 45 days after engaging', () => {
    const { commands } = convert();
    const open = byId(commands, 'maven.open.ENG00001') as OpenOpportunityInput;
    expect(open.at).toBe('2017-06-01T00:00:00.000Z');
    expect(open.data).toMatchObject({ stage: 'engaging', expectedCloseDate: '2017-07-16', amount: { amount: '55', currency: 'USD' } });
    expect(commands.some((command) => command.id === 'maven.win.ENG00001' || command.id === 'maven.lose.ENG00001')).toBe(false);
  });

  it('opens undated Prospecting deals at setup time in prospecting, and counts them', () => {
    const { commands, summary } = convert();
    const open = byId(commands, 'maven.open.PRO00001') as OpenOpportunityInput;
    expect(open.at).toBe(mavenSetupAt);
    expect(open.data).toMatchObject({ stage: 'prospecting', customerId: 'condax', owner: 'violet-mclelland', expectedCloseDate: '2016-11-15' });
    expect(summary.opportunities).toEqual({ rows: 6, imported: 6, won: 1, lost: 1, open: 4, openedAtSetup: 2, withoutAccount: 2 });
  });

  it('moves setup back to the first engage date when the data starts before the default setup time', () => {
    const { commands, summary } = convert({
      pipeline: ['opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value', 'EARLY1,Anna Snelling,GTX Basic,Condax,Engaging,2015-05-05,,'].join('\n'),
    });
    expect(summary.setupAt).toBe('2015-05-05T00:00:00.000Z');
    expect(commands[0]!.at).toBe('2015-05-05T00:00:00.000Z');
    expect(commands.every((command) => command.at === '2015-05-05T00:00:00.000Z')).toBe(true);
  });
});

describe('convertMavenDataset: order and ids', () => {
  it('orders commands by effective time; at one time: admin, configuration, managers, agents, customers, openings, closings', () => {
    const { commands } = convert();
    const phase = (command: MavenCommand): number => {
      if (command.command === 'RegisterMember') return command.data.role === 'admin' ? 0 : command.data.role === 'manager' ? 2 : 3;
      return { Configure: 1, RegisterCustomer: 4, OpenOpportunity: 5, WinOpportunity: 6, LoseOpportunity: 6 }[command.command];
    };
    for (let index = 1; index < commands.length; index += 1) {
      const [before, after] = [commands[index - 1]!, commands[index]!];
      expect(before.at <= after.at, `${before.id} before ${after.id}`).toBe(true);
      if (before.at === after.at) expect(phase(before) <= phase(after), `${before.id} before ${after.id}`).toBe(true);
    }
    expect(commands.findIndex((command) => command.id === 'maven.open.WON00001')).toBeLessThan(commands.findIndex((command) => command.id === 'maven.win.WON00001'));
  });

  it('gives every command a distinct, valid, deterministic id: converting again gives the same commands', () => {
    const first = convert();
    const ids = first.commands.map((command) => command.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[A-Za-z0-9._:-]{1,64}$/.test(id))).toBe(true);
    expect(convert()).toEqual(first);
  });

  it('keeps names that slug alike apart with a numbered suffix, and the admin id for the admin', () => {
    const { ids } = convert({
      salesTeams: ['sales_agent,manager,regional_office', 'Anne Marie,Maven Admin,Central', 'Anne-Marie,Maven Admin,Central'].join('\n'),
      pipeline: 'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n',
    });
    expect(ids.members).toEqual(
      new Map([
        ['Maven Admin', 'maven-admin-2'],
        ['Anne Marie', 'anne-marie'],
        ['Anne-Marie', 'anne-marie-2'],
      ]),
    );
  });
});

describe('convertMavenDataset: rows it cannot import', () => {
  const header = 'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value';
  const skippedFor = (row: string) => convert({ pipeline: `${header}\n${row}` });

  it.each([
    ['an agent missing from sales_teams.csv', 'X1,Nobody Here,GTX Basic,Condax,Engaging,2017-01-01,,', 'sales agent "Nobody Here" is not in sales_teams.csv'],
    ['a product missing from products.csv', 'X1,Anna Snelling,GTK 500,Condax,Engaging,2017-01-01,,', 'product "GTK 500" is not in products.csv'],
    ['an account missing from accounts.csv', 'X1,Anna Snelling,GTX Basic,Initech,Engaging,2017-01-01,,', 'account "Initech" is not in accounts.csv'],
    ['an unknown deal stage', 'X1,Anna Snelling,GTX Basic,Condax,Negotiating,2017-01-01,,', 'unknown deal_stage "Negotiating"'],
    ['an impossible date', 'X1,Anna Snelling,GTX Basic,Condax,Engaging,2017-02-30,,', 'engage_date "2017-02-30" is not a date YYYY-MM-DD'],
    ['an Engaging deal without engage date', 'X1,Anna Snelling,GTX Basic,Condax,Engaging,,,', 'Engaging opportunities need an engage_date'],
    ['a Won deal without close date', 'X1,Anna Snelling,GTX Basic,Condax,Won,2017-01-01,,500', 'Won opportunities need a close_date'],
    ['a Won deal without close value', 'X1,Anna Snelling,GTX Basic,Condax,Won,2017-01-01,2017-02-01,', 'Won opportunities need a close_value in dollars, not null'],
    ['a close before the engagement', 'X1,Anna Snelling,GTX Basic,Condax,Lost,2017-03-01,2017-02-01,0', 'closed (2017-02-01) before it was engaged (2017-03-01)'],
    ['an open deal with a close date', 'X1,Anna Snelling,GTX Basic,Condax,Engaging,2017-01-01,2017-02-01,', 'an open (Engaging) opportunity has a close_date'],
    ['an id eventcrm cannot take', 'X 1,Anna Snelling,GTX Basic,Condax,Engaging,2017-01-01,,', 'opportunity_id is not 1-48 characters of A-Z a-z 0-9 . _ : -'],
  ])('skips and reports %s, issuing no command for it', (_what, row, reason) => {
    const { commands, skipped, summary } = skippedFor(row);
    expect(skipped).toEqual([{ file: 'sales_pipeline.csv', line: 2, key: row.split(',')[0], reason }]);
    expect(commands.some((command) => command.command === 'OpenOpportunity')).toBe(false);
    expect(summary.opportunities).toMatchObject({ rows: 1, imported: 0 });
  });

  it('keeps the first of two rows with one opportunity id', () => {
    const { commands, skipped } = convert({ pipeline: `${header}\nD1,Anna Snelling,GTX Basic,Condax,Engaging,2017-01-01,,\nD1,Moses Frase,GTX Basic,Condax,Engaging,2017-01-02,,` });
    expect(named(commands, 'OpenOpportunity').map((command) => command.data.owner)).toEqual(['anna-snelling']);
    expect(skipped).toEqual([{ file: 'sales_pipeline.csv', line: 3, key: 'D1', reason: 'opportunity listed again (the first row counts)' }]);
  });

  it('skips products without a usable price, agents listed twice and duplicate accounts, naming file and line', () => {
    const { skipped } = convert({
      salesTeams: ['sales_agent,manager,regional_office', 'Anna Snelling,Dustin Brinkmann,Central', 'Anna Snelling,Cara Losch,East'].join('\n'),
      products: ['product,series,sales_price', 'GTX Basic,GTX,550', 'MG Special,MG,cheap'].join('\n'),
      accounts: ['account,sector,year_established,revenue,employees,office_location,subsidiary_of', 'Condax,medical,2017,4.54,9,United States,', 'Condax,medical,2017,4.54,9,United States,'].join('\n'),
      pipeline: header,
    });
    expect(skipped).toEqual([
      { file: 'sales_teams.csv', line: 3, key: 'Anna Snelling', reason: 'agent listed again (the first row counts)' },
      { file: 'products.csv', line: 3, key: 'MG Special', reason: 'sales_price "cheap" is not an amount of dollars' },
      { file: 'accounts.csv', line: 3, key: 'Condax', reason: 'account listed again (the first row counts)' },
    ]);
  });
});
