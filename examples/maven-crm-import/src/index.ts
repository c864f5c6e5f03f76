/**
 * @eventcrm/example-maven-crm-import: imports the real Maven CRM sales
 * dataset (8,800 opportunities) into eventcrm and checks the read models
 * against figures computed straight from the CSV.
 */
export {};
