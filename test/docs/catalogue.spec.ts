import { readFileSync } from 'node:fs';
import { commandNames, currentSchemaVersions, eventTypes } from '@eventcrm/domain';
import { allProjections } from '@eventcrm/runtime';
import { describe, expect, it } from 'vitest';
import { catalogueCommand, cataloguePath, renderCatalogue } from './catalogue.ts';
import { repoRoot } from './paths.ts';

const rendered = renderCatalogue();

/** The lines of one `#### Name` section of the rendered page. */
function section(name: string): string {
  const start = rendered.indexOf(`\n#### ${name}\n`);
  if (start < 0) throw new Error(`no section for ${name}`);
  const end = rendered.indexOf('\n#### ', start + 1);
  return rendered.slice(start, end < 0 ? undefined : end);
}

describe('docs/catalogue.md', () => {
  it(`is what the code generates (when this fails, run: ${catalogueCommand})`, () => {
    const committed = readFileSync(`${repoRoot}${cataloguePath}`, 'utf8');
    expect(committed === rendered, `${cataloguePath} is out of date: run ${catalogueCommand} from the repository root, then commit the page`).toBe(true);
  });

  it('has a section for every command, event type and read-model table', () => {
    for (const name of [...commandNames, ...eventTypes]) expect(rendered).toContain(`\n#### ${name}\n`);
    for (const table of allProjections.flatMap((projection) => projection.tables)) expect(rendered).toContain(`\n#### ${table.name}\n`);
  });

  it('groups commands by the aggregate they write to', () => {
    const groupOf = (name: string): string | undefined => {
      const at = rendered.indexOf(`\n#### ${name}\n`);
      const headings = [...rendered.slice(0, at).matchAll(/\n### (.+)\n/g)];
      return headings.at(-1)?.[1];
    };
    expect(groupOf('DeactivateMember')).toBe('Members: commands');
    expect(groupOf('MergeCustomers')).toBe('Customers: commands');
    expect(groupOf('ReopenOpportunity')).toBe('Opportunities: commands');
    expect(groupOf('UnassignTicket')).toBe('Tickets: commands');
    expect(groupOf('Configure')).toBe('Configuration: commands');
    expect(groupOf('DuplicateCustomerAbsorbed')).toBe('Customers: events');
  });

  it('lists each field with its type, optionality, enum values, limits and the rules behind transforms and refinements', () => {
    const register = section('RegisterCustomer');
    expect(register).toContain('| `importance` | enum | yes | one of `A`, `B`, `C` |');
    expect(register).toContain('| `name` | string | yes | 1–200 characters |');
    expect(register).toContain('| `phone` | string | no | must be a phone number of 6-20 digits');
    expect(register).toContain('including the checks across fields');
    expect(section('RegisterMember')).toContain('"system" is reserved for the system actor');
    expect(section('MergeCustomers')).toContain('a customer cannot be merged into itself');
    expect(section('UpdateCustomerProfile')).toContain('| `changes.phone` | string or null | no |');
    expect(section('RateTicket')).toContain('| `score` | integer | yes | 1–5 |');
    expect(section('OpenOpportunity')).toContain('| `amount` | money | yes |');
    expect(section('Configure')).toContain('| `pool.holdingLimit` | integer | `200` | 0–1000000 |');
    expect(section('Configure')).toContain('| `sla.urgent.resolution` | number | `4` | greater than 0 and at most 100000 |');
  });

  it('gives each event its stream, current schema version and personal fields', () => {
    expect(section('OpportunityOpened')).toContain(`Stream \`opportunity-<opportunityId>\`, schema version ${currentSchemaVersions.OpportunityOpened}.`);
    expect(currentSchemaVersions.OpportunityOpened).toBe(2);
    expect(section('ConfigurationChanged')).toContain('Stream `config`, schema version 1.');
    expect(section('CustomerRegistered')).toContain('| `phone` | string or null | yes | personal: stored encrypted, `null` once erased |');
    expect(section('DuplicateCustomerAbsorbed')).toContain('| `contacts.*.birthday` | string or null | yes | personal');
    expect(section('CustomerRegistered')).toContain('| `industry` | string or null | yes |  |');
  });
});
