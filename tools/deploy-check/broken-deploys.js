'use strict';
// Mistakes that only show once the manifests run: each must fail scripts/check-deploy.sh (static)
// and scripts/kube-play.sh (played with podman). Shared by test/ and test-play/.
//   [name, files and edits, what check-deploy.sh says, what kube-play.sh says]
module.exports = [
  [
    'EXPECTED_DATE_URI on the container port instead of the Service port',
    [['kube/base/invoices-svc/kustomization.yaml', (s) => s.replace('EXPECTED_DATE_URI=http://expected-date-svc.tim.svc.cluster.local', 'EXPECTED_DATE_URI=http://expected-date-svc.tim.svc.cluster.local:8080')]],
    /EXPECTED_DATE_URI: Service expected-date-svc has no port 8080/,
    /FAIL at step ready: invoice 42 comes without expectedDate/,
  ],
  [
    'a Secret key renamed (postgres password -> passwd)',
    [['kube/base/postgres/kustomization.yaml', (s) => s.replace('- password=secrets/password', '- passwd=secrets/password')]],
    /env POSTGRES_PASSWORD: Secret postgres-\w+ key password/,
    /FAIL at step play: podman kube play/,
  ],
  [
    "the route's service name misspelled (invoice-svc)",
    [
      ['kube/overlays/emissary/routes.yaml', (s) => s.replace('  service: invoices-svc\n', '  service: invoice-svc\n')],
      ['kube/overlays/tim-gateway/routes.yaml', (s) => s.replace('  service: invoices-svc\n', '  service: invoice-svc\n')],
    ],
    /service invoice-svc is not a Service port here/,
    /FAIL at step ready: invoice 42 through the gateway: no 200 within \d+ s of every pod being ready; last answer: 50[23]/,
  ],
];
