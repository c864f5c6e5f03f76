import type { SeededRandom } from './historyRandom.ts';

/**
 * The words the demo history is written with: people's and companies' names,
 * what a follow-up was about, why a deal was lost, what a ticket said. Fixed
 * lists (never locale data read at run time), so a seed always gives the
 * same text.
 */
export const firstNames = [
  'Alice', 'Bob', 'Carmen', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Kara', 'Liam', 'Mei', 'Nikolai',
  'Olivia', 'Pedro', 'Quinn', 'Rosa', 'Sanjay', 'Tara', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aarav', 'Bianca',
  'Chen', 'Dmitri', 'Emma', 'Fatima', 'Gabriel', 'Hana', 'Ivan', 'Julia', 'Kenji', 'Leila', 'Marco', 'Nadia', 'Oscar', 'Priya',
  'Rafael', 'Sofia', 'Tomas', 'Valentina', 'William', 'Xu', 'Yara', 'Zain', 'Amara', 'Bruno', 'Chloe', 'Diego', 'Ewa', 'Felix',
  'Greta', 'Hugo', 'Isla', 'Jonas', 'Lucia', 'Mateo', 'Noor', 'Pavel', 'Ruth', 'Stefan', 'Lin', 'Ana', 'Omar', 'Sara',
] as const;

export const lastNames = [
  'Anderson', 'Bauer', 'Chen', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Kim', 'Lopez', 'Muller',
  'Novak', 'Okafor', 'Patel', 'Quint', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga', 'Wang', 'Xiong', 'Yilmaz', 'Zhang',
  'Alvarez', 'Brown', 'Costa', 'Dimitrov', 'Eriksen', 'Fernandes', 'Gupta', 'Huang', 'Ivanova', 'Johnson', 'Kowalski', 'Li',
  'Martin', 'Nguyen', 'Olsen', 'Park', 'Ramos', 'Silva', 'Torres', 'Ueda', 'Vogel', 'Weber', 'Yamamoto', 'Zhou', 'Moreau',
  'Larsen', 'Singh', 'Khan', 'Sato', 'Romero', 'Nowak', 'Haddad', 'Liu', 'Wright',
] as const;

const companyStems = [
  'Northwind', 'Bluepeak', 'Silverline', 'Redwood', 'Granite', 'Brightwater', 'Ironbridge', 'Sunrise', 'Clearview', 'Evergreen',
  'Harbor', 'Summit', 'Lakeside', 'Golden Gate', 'Pinecrest', 'Starlight', 'Riverbend', 'Oakfield', 'Maple', 'Crescent',
  'Horizon', 'Keystone', 'Meridian', 'Pioneer', 'Sterling', 'Trident', 'Vanguard', 'Westgate', 'Apex', 'Beacon', 'Cobalt',
  'Delta', 'Everest', 'Falcon', 'Greenleaf', 'Highland', 'Jade', 'Kestrel', 'Lumen', 'Nimbus', 'Orion', 'Polaris', 'Quarry',
  'Sapphire', 'Tidewater', 'Unity', 'Vertex', 'Willow', 'Zenith', 'Amber', 'Birch', 'Cedar', 'Dune', 'Ember', 'Fjord',
  'Glacier', 'Hawthorn', 'Indigo', 'Juniper', 'Kite', 'Lotus', 'Mosaic', 'Nova', 'Onyx', 'Prairie', 'Quill', 'Raven',
] as const;

const companyTrades = [
  'Logistics', 'Foods', 'Medical', 'Textiles', 'Robotics', 'Software', 'Energy', 'Plastics', 'Furniture', 'Pharma', 'Motors',
  'Packaging', 'Electronics', 'Construction', 'Consulting', 'Retail', 'Hotels', 'Dental', 'Printing', 'Optics', 'Steel',
  'Agritech', 'Solar', 'Chemicals', 'Apparel', 'Security', 'Media', 'Ceramics', 'Marine', 'Aviation',
] as const;

const legalForms = ['Ltd', 'Inc', 'GmbH', 'Co.', 'LLC', 'Group', 'Holdings', 'S.A.', 'Partners', 'Corp'] as const;

export const industries = [
  'manufacturing', 'retail', 'healthcare', 'logistics', 'software', 'hospitality', 'construction', 'education', 'finance',
  'energy', 'food & beverage', 'professional services', 'automotive', 'media',
] as const;

export const regions = ['North America', 'Latin America', 'Western Europe', 'Central Europe', 'Nordics', 'Middle East', 'East Asia', 'Southeast Asia', 'Oceania'] as const;

export const cities = [
  'Springfield', 'Riverside', 'Fairview', 'Kingston', 'Lyon', 'Hamburg', 'Osaka', 'Porto', 'Austin', 'Denver', 'Turin', 'Leeds',
  'Gdansk', 'Malmo', 'Valencia', 'Busan', 'Perth', 'Cordoba', 'Dubai', 'Penang',
] as const;

const streets = ['Main St', 'Harbour Rd', 'Industrial Ave', 'King St', 'Station Rd', 'Market Sq', 'Park Ave', 'Mill Lane', 'Bridge St', 'Canal Way'] as const;

export const contactTitles = [
  'CEO', 'CFO', 'COO', 'Head of Procurement', 'Purchasing Manager', 'IT Director', 'Operations Manager', 'Plant Manager',
  'Office Manager', 'Head of Sales', 'CTO', 'Finance Controller', 'Project Lead', 'Facilities Manager',
] as const;

export const competitors = ['Salesforce', 'HubSpot', 'Zoho', 'Pipedrive', 'Microsoft Dynamics', 'Oracle', 'SAP', 'Freshworks', 'a local reseller'] as const;

const offerings = [
  'Annual licence', 'Platform rollout', 'Support renewal', 'Pilot project', 'Fleet upgrade', 'Maintenance contract', 'Training package',
  'Hardware refresh', 'Expansion order', 'Integration project', 'Framework agreement', 'Spare parts supply',
] as const;

/** What a follow-up of each channel was about (prospects, then accounts). */
export const prospectSummaries: { readonly [channel: string]: readonly string[] } = {
  call: ['Intro call: walked through their current process', 'Call with the buyer: budget cycle starts next quarter', 'Qualification call: confirmed decision makers', 'Called back as promised; asked for references', 'Short call: they are comparing vendors'],
  visit: ['On-site visit: toured the facility and met the team', 'Visited with a product specialist; demo went well', 'Site survey for the proposal'],
  email: ['Sent brochure and price list', 'Emailed case studies from their industry', 'Sent the meeting recap and next steps', 'Followed up on the open questions by email'],
  meeting: ['Video meeting: discovery of requirements', 'Workshop with their operations lead', 'Demo for the evaluation committee', 'Meeting to review the draft proposal'],
  message: ['Messaged to confirm the next appointment', 'Quick chat about delivery times', 'Sent a reminder about the trial'],
};

export const accountSummaries: { readonly [channel: string]: readonly string[] } = {
  call: ['Account check-in call', 'Called about the renewal timeline', 'Checked satisfaction after delivery'],
  visit: ['Quarterly business review on site', 'Visited for the onboarding follow-up'],
  email: ['Sent usage report and tips', 'Shared the product roadmap'],
  meeting: ['Quarterly business review', 'Upsell discussion with the department head'],
  message: ['Congratulated them on their expansion', 'Quick check on the open ticket'],
};

export const releaseNotes = [
  'No budget this year', 'Wrong contact, company not reachable', 'Not a fit for our offering', 'Went with an incumbent supplier',
  'Too small for our territory', 'Asked not to be contacted for now', 'Lost the deal; not pursuing further',
] as const;

export const lossNotes: { readonly [reason: string]: readonly string[] } = {
  price: ['Our quote was 20% above budget', 'They chose the cheapest offer', 'Could not agree on payment terms'],
  competitor: ['Competitor offered a bundled deal', 'Incumbent matched our offer', 'Competitor had a local team'],
  no_budget: ['Budget frozen after reorganisation', 'Project postponed to next fiscal year'],
  no_decision: ['Committee could not agree', 'Champion left the company'],
  timing: ['Not before next year', 'They are mid-migration; revisit later'],
  product_fit: ['Missing integration with their ERP', 'Needs features we do not have'],
  other: ['Company acquired; purchasing centralised', 'Requirements changed completely'],
};

/** Ticket subjects by category. */
export const ticketSubjects: { readonly [category: string]: readonly string[] } = {
  complaint: ['Delivery arrived late', 'Invoice amount is wrong', 'Rude behaviour of the technician', 'Order shipped incomplete', 'Service outage during business hours'],
  repair: ['Device does not start', 'Replacement part needed', 'Display flickers after update', 'Unit overheats under load'],
  question: ['How to export reports?', 'Question about the licence terms', 'Which model fits our warehouse?', 'Can we add more users?'],
  request: ['Please add two more user accounts', 'Request for on-site training', 'Need a copy of the contract', 'Change of billing address'],
  return: ['Return of damaged goods', 'Wrong item delivered, return requested', 'Return unused units'],
};

export const internalNotes = ['Checked the order history; shipment left the warehouse late', 'Asked logistics for the tracking details', 'Escalated internally to the product team', 'Looked up the contract terms'] as const;
export const firstResponses = ['Thanks for reaching out, we are looking into it', 'Sorry for the trouble; a technician is assigned', 'We have received your request and will get back to you today', 'Thanks, we are checking this with our team'] as const;
export const resolutions = ['Replaced the faulty unit', 'Corrected the invoice and sent a credit note', 'Explained the configuration; customer confirmed', 'Shipped the missing items', 'Accounts added and credentials sent', 'Return processed and refunded'] as const;
export const reopenReasons = ['Customer reports the problem persists', 'The fix did not hold', 'Credit note still missing'] as const;
export const escalationReasons = ['Customer threatened to cancel', 'First response missed on a complaint', 'Repeated issue'] as const;
export const ratingComments: { readonly [score: number]: readonly string[] } = {
  1: ['Took far too long', 'Nobody got back to us'],
  2: ['Slow, and we had to chase', 'Problem solved only partly'],
  3: ['OK in the end'],
  4: ['Good service', 'Quick and friendly'],
  5: ['Excellent, thank you!', 'Fast and very helpful'],
};

const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** A company's name. */
export function companyName(random: SeededRandom): string {
  return `${random.pick(companyStems)} ${random.pick(companyTrades)} ${random.pick(legalForms)}`;
}

/** A person's full name. */
export function personName(random: SeededRandom): string {
  return `${random.pick(firstNames)} ${random.pick(lastNames)}`;
}

/** A postal address. */
export function address(random: SeededRandom): string {
  return `${random.int(1, 250)} ${random.pick(streets)}, ${random.pick(cities)}`;
}

/**
 * A customer's phone, unique per customer number: a bijection of the number
 * onto 10-digit national numbers (the multiplier is coprime with the range),
 * so no two customers ever collide by accident; only the deliberate
 * duplicates reuse one.
 */
export function customerPhone(customerNumber: number, salt: number): string {
  const national = 2_000_000_000 + ((customerNumber * 387_420_489 + salt) % 8_000_000_000);
  const digits = String(national);
  return `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}

/** The same phone number typed differently (same digits): how a duplicate arrives. */
export function retypedPhone(phone: string): string {
  return phone.replace(/-/g, ' ');
}

/** A customer's email, unique per customer number (reserved `.example` domains). */
export function customerEmail(name: string, kind: 'company' | 'person', customerNumber: number): string {
  const tag = customerNumber.toString(36);
  return kind === 'company' ? `info@${slug(name).slice(0, 40)}-${tag}.example.com` : `${slug(name).replace(/-/g, '.').slice(0, 40)}.${tag}@example.net`;
}

/** A contact's phone (not reserved: contacts may share numbers). */
export function contactPhone(random: SeededRandom): string {
  return `+1 ${random.int(200, 999)}-${random.int(200, 999)}-${String(random.int(0, 9999)).padStart(4, '0')}`;
}

/** A contact's work email at a customer. */
export function contactEmail(contactName: string, customerName: string, contactNumber: number): string {
  return `${slug(contactName).replace(/-/g, '.')}.${contactNumber.toString(36)}@${slug(customerName).slice(0, 30) || 'customer'}.example.com`;
}

/** A birthday, `MM-DD` (or sometimes a full date), uniformly over the year. */
export function birthday(random: SeededRandom): string {
  const month = random.int(1, 12);
  const day = random.int(1, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!);
  const monthDay = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return random.chance(0.3) ? `${random.int(1960, 1998)}-${monthDay}` : monthDay;
}

/** An opportunity's title. */
export function opportunityTitle(random: SeededRandom, customerName: string): string {
  return `${random.pick(offerings)} – ${customerName}`;
}
