// The records the Zoho dev host offers, in the shapes Zoho CRM's embedded-app SDK answers: getRecord's
// records, META.getFields' field metadata, the Attachments related list, and the files' bytes.
// Numbers are stored as people type them: with and without country codes, several per record.

const meta = (apiName, label, dataType = 'text') => ({ api_name: apiName, field_label: label, data_type: dataType });
const owner = { name: 'Maya Fernandes', id: '5725767000000411001' };

/** `ZOHO.CRM.META.getFields({Entity})` answers `{fields: [...]}`. */
export const FIELDS = {
  Leads: [
    meta('Owner', 'Lead Owner', 'ownerlookup'), meta('Salutation', 'Salutation', 'picklist'),
    meta('First_Name', 'First Name'), meta('Last_Name', 'Last Name'), meta('Full_Name', 'Lead Name'),
    meta('Company', 'Company'), meta('Designation', 'Title'), meta('Email', 'Email', 'email'),
    meta('Phone', 'Phone', 'phone'), meta('Mobile', 'Mobile', 'phone'), meta('Fax', 'Fax'),
    meta('Lead_Source', 'Lead Source', 'picklist'), meta('Lead_Status', 'Lead Status', 'picklist'),
    meta('City', 'City'), meta('Country', 'Country'), meta('Email_Opt_Out', 'Email Opt Out', 'boolean'),
  ],
  Contacts: [
    meta('Owner', 'Contact Owner', 'ownerlookup'), meta('Salutation', 'Salutation', 'picklist'),
    meta('First_Name', 'First Name'), meta('Last_Name', 'Last Name'), meta('Full_Name', 'Full Name'),
    meta('Account_Name', 'Account Name', 'lookup'), meta('Title', 'Title'), meta('Department', 'Department'),
    meta('Email', 'Email', 'email'), meta('Phone', 'Phone', 'phone'), meta('Mobile', 'Mobile', 'phone'),
    meta('Home_Phone', 'Home Phone', 'phone'), meta('Other_Phone', 'Other Phone', 'phone'),
    meta('Asst_Phone', 'Asst Phone', 'phone'), meta('Assistant', 'Assistant'), meta('Fax', 'Fax'),
    meta('Mailing_City', 'Mailing City'), meta('Mailing_Country', 'Mailing Country'),
  ],
  Deals: [
    meta('Owner', 'Deal Owner', 'ownerlookup'), meta('Deal_Name', 'Deal Name'), meta('Amount', 'Amount', 'currency'),
    meta('Stage', 'Stage', 'picklist'), meta('Closing_Date', 'Closing Date', 'date'),
    meta('Account_Name', 'Account Name', 'lookup'), meta('Contact_Name', 'Contact Name', 'lookup'),
    meta('Lead_Source', 'Lead Source', 'picklist'), meta('Description', 'Description', 'textarea'),
  ],
};

const contact = (id, fields) => ({
  id, Owner: owner, Salutation: null, Phone: null, Mobile: null, Home_Phone: null, Other_Phone: null,
  Asst_Phone: null, Fax: null, Assistant: null, $approved: true, $editable: true, ...fields,
});
const lead = (id, fields) => ({
  id, Owner: owner, Salutation: null, Phone: null, Mobile: null, Fax: null, Email_Opt_Out: false,
  $approved: true, $converted: false, ...fields,
});

/** `ZOHO.CRM.API.getRecord({Entity, RecordID})` answers `{data: [record]}`. */
export const RECORDS = {
  Leads: [
    lead('5725767000001001001', {
      First_Name: 'Aiko', Last_Name: 'Tanaka', Full_Name: 'Aiko Tanaka', Company: 'Sakura Trading KK',
      Designation: 'Purchasing Manager', Email: 'aiko.tanaka@example.jp', Phone: '03-1234-5678',
      Mobile: '+81 90-1234-5678', Lead_Source: 'Trade Show', Lead_Status: 'Contacted', City: 'Tokyo', Country: 'Japan',
    }),
    lead('5725767000001001002', {
      Salutation: 'Mr.', First_Name: 'Rahul', Last_Name: 'Sharma', Full_Name: 'Rahul Sharma',
      Company: 'Indus Logistics Pvt Ltd', Designation: 'Founder', Email: 'rahul@example.in',
      Phone: '+91 22 4000 1234', Mobile: '98765 43210', Lead_Source: 'Web Form', Lead_Status: 'Not Contacted',
      City: 'Mumbai', Country: 'India',
    }),
  ],
  Contacts: [
    contact('5725767000002002001', {
      Salutation: 'Mme', First_Name: 'Marie', Last_Name: 'Dubois', Full_Name: 'Marie Dubois',
      Account_Name: { name: 'Atelier Dubois SARL', id: '5725767000003003001' }, Title: 'Gérante',
      Email: 'marie.dubois@example.fr', Phone: '+33 1 42 68 53 00', Mobile: '06 12 34 56 78',
      Home_Phone: '+33 4 91 55 20 10', Asst_Phone: '+33 6 98 76 54 32', Assistant: 'Luc Martin',
      Mailing_City: 'Paris', Mailing_Country: 'France',
    }),
    contact('5725767000002002002', {
      First_Name: 'João', Last_Name: 'Silva', Full_Name: 'João Silva',
      Account_Name: { name: 'Silva & Filhos Ltda', id: '5725767000003003002' }, Title: 'Diretor',
      Email: 'joao.silva@example.com.br', Phone: '(21) 2345-6789', Mobile: '+55 11 91234-5678',
      Other_Phone: '0800 123 4567', Mailing_City: 'Rio de Janeiro', Mailing_Country: 'Brazil',
    }),
    contact('5725767000002002003', {
      First_Name: 'Priya', Last_Name: 'Patel', Full_Name: 'Priya Patel',
      Account_Name: { name: 'Patel Exports', id: '5725767000003003003' }, Title: 'Head of Sales',
      Email: 'priya.patel@example.in', Mobile: '+91 98200 12345', Asst_Phone: '022 2345 6789',
      Mailing_City: 'Mumbai', Mailing_Country: 'India',
    }),
    contact('5725767000002002004', {
      First_Name: 'Kenji', Last_Name: 'Watanabe', Full_Name: 'Kenji Watanabe',
      Account_Name: { name: 'Naniwa Foods', id: '5725767000003003004' }, Title: '部長',
      Email: 'k.watanabe@example.jp', Phone: '+81 6-6345-6789', Mobile: '090-8765-4321',
      Mailing_City: 'Osaka', Mailing_Country: 'Japan',
    }),
  ],
  Deals: [
    {
      id: '5725767000004004001', Owner: owner, Deal_Name: 'Lisbon office fit-out', Amount: 48000,
      Stage: 'Proposal/Price Quote', Closing_Date: '2026-12-15',
      Account_Name: { name: 'Silva & Filhos Ltda', id: '5725767000003003002' },
      Contact_Name: { name: 'João Silva', id: '5725767000002002002' }, Lead_Source: 'Partner',
      Description: 'Furniture and fit-out for the new Lisbon office.',
    },
    {
      id: '5725767000004004002', Owner: owner, Deal_Name: 'Osaka distribution', Amount: 125000,
      Stage: 'Negotiation/Review', Closing_Date: '2027-02-01',
      Account_Name: { name: 'Naniwa Foods', id: '5725767000003003004' },
      Contact_Name: { name: 'Kenji Watanabe', id: '5725767000002002004' }, Lead_Source: 'Trade Show',
      Description: null,
    },
  ],
};

const attachment = (id, fileId, name, size, parentId, module, extra = {}) => ({
  id, File_Name: name, Size: String(size), $type: 'File', $file_id: fileId, $link_url: null,
  $se_module: module, Parent_Id: { id: parentId, name: '' }, Created_Time: '2026-11-02T10:15:00+01:00',
  Owner: owner, ...extra,
});

/** One 1×1 PNG pixel: the smallest real image. */
const PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** A one-page PDF that says "Quote". */
const QUOTE_PDF = [
  '%PDF-1.4', '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj', '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
  '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj',
  '4 0 obj<</Length 35>>stream', 'BT /F1 18 Tf 20 40 Td (Quote) Tj ET', 'endstream endobj',
  '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj', 'trailer<</Root 1 0 R>>', '%%EOF', '',
].join('\n');
/** Over WhatsApp's 16 MB video limit; synthesised, never stored. */
const OVERSIZE_BYTES = 17_000_000;

const bytesOf = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** The files' bytes by `$file_id`, made on demand. */
export const FILES = {
  'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5floorplan': () => bytesOf(PIXEL_PNG),
  'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5quotepdf': () => new TextEncoder().encode(QUOTE_PDF),
  'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5sitevideo': () => new Uint8Array(OVERSIZE_BYTES),
  'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5visitcard': () => bytesOf(PIXEL_PNG),
};
const size = (fileId) => FILES[fileId]().byteLength;

/** `ZOHO.CRM.API.getRelatedRecords({..., RelatedList: 'Attachments'})`: each record's list. */
export const ATTACHMENTS = {
  '5725767000004004001': [
    attachment('5725767000005005001', 'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5floorplan', 'floor-plan.png',
      size('f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5floorplan'), '5725767000004004001', 'Deals'),
    attachment('5725767000005005002', 'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5quotepdf', 'quote-2026-114.pdf',
      size('f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5quotepdf'), '5725767000004004001', 'Deals'),
    attachment('5725767000005005003', 'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5sitevideo', 'site-visit.mp4',
      OVERSIZE_BYTES, '5725767000004004001', 'Deals'),
    attachment('5725767000005005004', null, 'Shared drive folder', 0, '5725767000004004001', 'Deals',
      { $type: 'Link URL', $link_url: 'https://drive.example.com/lisbon' }),
  ],
  '5725767000002002001': [
    attachment('5725767000005005005', 'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5visitcard', 'carte-de-visite.png',
      size('f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5visitcard'), '5725767000002002001', 'Contacts'),
    attachment('5725767000005005006', 'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5quotepdf', 'quote-2026-114.pdf',
      size('f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5quotepdf'), '5725767000002002001', 'Contacts'),
    attachment('5725767000005005007', 'f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5sitevideo', 'site-visit.mp4',
      OVERSIZE_BYTES, '5725767000002002001', 'Contacts'),
  ],
};

/** The Zoho user `CONFIG.getCurrentUser` describes (the email comes from the page's field). */
export const USER = {
  id: '5725767000000411001', full_name: 'Maya Fernandes', first_name: 'Maya', last_name: 'Fernandes',
  role: { name: 'CEO', id: '5725767000000026005' }, profile: { name: 'Administrator', id: '5725767000000026011' },
  zuid: '60021843', status: 'active', confirm: true,
};
