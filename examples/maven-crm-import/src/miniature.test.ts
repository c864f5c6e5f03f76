import type { MavenCsvTexts } from './csv.ts';

/**
 * A hand-made miniature of the Maven CRM dataset with each of its real flaws
 * (GTXPro, technolgy, undated Prospecting rows, open rows without an account,
 * an agent without opportunities) and an account without any opportunity.
 */
export const miniatureCsv = (overrides: Partial<MavenCsvTexts> = {}): MavenCsvTexts => ({
  salesTeams: [
    'sales_agent,manager,regional_office',
    'Anna Snelling,Dustin Brinkmann,Central',
    'Moses Frase,Dustin Brinkmann,Central',
    'Mei-Mei Johns,Melvin Marxen,Central', // no opportunities at all (a real flaw)
    'Violet Mclelland,Cara Losch,East',
  ].join('\n'),
  accounts: [
    'account,sector,year_established,revenue,employees,office_location,subsidiary_of',
    'Acme Corporation,technolgy,1996,1100.04,2822,United States,', // misspelled sector (a real flaw)
    'Gekko & Co,retail,1990,2520.83,3502,United States,',
    'Condax,medical,2017,4.54,9,United States,',
    'Quiet Account,retail,2000,100,10,Kenya,', // no opportunity: registered to the pool
  ].join('\n'),
  products: ['product,series,sales_price', 'GTX Basic,GTX,550', 'GTX Pro,GTX,4821', 'MG Special,MG,55'].join('\n'),
  pipeline: [
    'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value',
    'WON00001,Anna Snelling,GTXPro,Acme Corporation,Won,2016-10-25,2017-03-11,4514', // GTXPro vs GTX Pro (a real flaw)
    'LOST0001,Anna Snelling,GTX Basic,Acme Corporation,Lost,2016-11-02,2017-03-08,0',
    'ENG00001,Moses Frase,MG Special,Gekko & Co,Engaging,2017-06-01,,',
    'ENG00002,Moses Frase,GTX Basic,,Engaging,2017-06-02,,', // open, no account (a real flaw)
    'PRO00001,Violet Mclelland,GTX Pro,Condax,Prospecting,,,', // Prospecting without dates (a real flaw)
    'PRO00002,Moses Frase,MG Special,,Prospecting,,,', // both
  ].join('\n'),
  ...overrides,
});
