package geoip

// centre places a country for Builtin: the middle of its populated area
// (close to, but not always, the geographic centroid) and the radius in km
// around it that covers most of that populated area. The impossible-travel
// detector subtracts both radii from a centre-to-centre distance, so a
// radius too small raises false alerts and one too large hides real ones.
// Where the centroid lies far from the people (Russia, Canada, Algeria,
// Norway, Chile, island groups), the centre is moved toward them; remote
// islands and thinly peopled fringes (Alaska and Hawaii, the Russian Far
// East, Okinawa, the Canaries) fall outside on purpose. centres_test.go
// checks each radius against the capital and the far cities of large
// countries.
type centre struct {
	lat, lon float64
	radiusKm float64
}

// centres covers every ISO 3166-1 alpha-2 code iploc returns, plus XK
// (Kosovo), which some databases use.
var centres = map[string]centre{
	"AD": {42.55, 1.60, 20},      // Andorra
	"AE": {24.30, 54.40, 250},    // United Arab Emirates
	"AF": {33.94, 67.71, 650},    // Afghanistan
	"AG": {17.20, -61.80, 50},    // Antigua and Barbuda
	"AI": {18.22, -63.07, 15},    // Anguilla
	"AL": {41.15, 20.17, 150},    // Albania
	"AM": {40.07, 45.04, 150},    // Armenia
	"AO": {-11.20, 17.87, 800},   // Angola
	"AQ": {-75.25, -0.07, 3000},  // Antarctica: research stations anywhere
	"AR": {-34.00, -62.00, 1600}, // Argentina
	"AS": {-14.27, -170.13, 100}, // American Samoa
	"AT": {47.60, 13.30, 300},    // Austria
	"AU": {-28.80, 135.20, 2000}, // Australia
	"AW": {12.52, -69.97, 20},    // Aruba
	"AX": {60.18, 19.92, 60},     // Åland Islands
	"AZ": {40.14, 47.58, 300},    // Azerbaijan
	"BA": {43.92, 17.68, 200},    // Bosnia and Herzegovina
	"BB": {13.19, -59.54, 20},    // Barbados
	"BD": {23.68, 90.36, 300},    // Bangladesh
	"BE": {50.50, 4.47, 150},     // Belgium
	"BF": {12.24, -1.56, 400},    // Burkina Faso
	"BG": {42.73, 25.49, 250},    // Bulgaria
	"BH": {26.07, 50.56, 30},     // Bahrain
	"BI": {-3.37, 29.92, 120},    // Burundi
	"BJ": {9.31, 2.32, 400},      // Benin
	"BL": {17.90, -62.83, 10},    // Saint Barthélemy
	"BM": {32.32, -64.76, 20},    // Bermuda
	"BN": {4.54, 114.73, 80},     // Brunei
	"BO": {-16.29, -65.00, 700},  // Bolivia
	"BQ": {12.18, -68.26, 50},    // Bonaire, Sint Eustatius and Saba
	"BR": {-14.24, -51.93, 2000}, // Brazil
	"BS": {25.03, -77.40, 300},   // Bahamas
	"BT": {27.51, 90.43, 150},    // Bhutan
	"BV": {-54.42, 3.36, 10},     // Bouvet Island
	"BW": {-22.33, 24.68, 500},   // Botswana
	"BY": {53.71, 27.95, 350},    // Belarus
	"BZ": {17.19, -88.50, 150},   // Belize
	"CA": {50.00, -92.00, 2500},  // Canada: the southern band, Victoria to Halifax
	"CC": {-12.16, 96.87, 20},    // Cocos (Keeling) Islands
	"CD": {-4.04, 21.76, 1100},   // DR Congo
	"CF": {6.61, 20.94, 500},     // Central African Republic
	"CG": {-3.00, 14.50, 550},    // Congo
	"CH": {46.82, 8.23, 200},     // Switzerland
	"CI": {7.54, -5.55, 450},     // Côte d'Ivoire
	"CK": {-21.24, -159.78, 100}, // Cook Islands
	"CL": {-31.00, -71.00, 1500}, // Chile: Arica to Puerto Montt
	"CM": {6.00, 12.35, 600},     // Cameroon
	"CN": {36.00, 108.00, 2000},  // China
	"CO": {5.50, -74.50, 750},    // Colombia
	"CR": {9.75, -83.75, 200},    // Costa Rica
	"CU": {21.52, -79.00, 600},   // Cuba
	"CV": {16.00, -24.01, 200},   // Cabo Verde
	"CW": {12.17, -68.99, 30},    // Curaçao
	"CX": {-10.45, 105.69, 15},   // Christmas Island
	"CY": {35.13, 33.43, 120},    // Cyprus
	"CZ": {49.82, 15.47, 250},    // Czechia
	"DE": {51.17, 10.45, 420},    // Germany
	"DJ": {11.83, 42.59, 100},    // Djibouti
	"DK": {56.00, 10.50, 250},    // Denmark
	"DM": {15.41, -61.37, 30},    // Dominica
	"DO": {18.74, -70.16, 200},   // Dominican Republic
	"DZ": {33.50, 3.00, 900},     // Algeria: the populated north
	"EC": {-1.50, -78.50, 350},   // Ecuador (Galápagos excluded)
	"EE": {58.60, 25.01, 200},    // Estonia
	"EG": {28.50, 31.00, 600},    // Egypt
	"EH": {25.50, -13.50, 500},   // Western Sahara
	"ER": {15.18, 39.78, 300},    // Eritrea
	"ES": {40.20, -3.70, 650},    // Spain (Canary Islands excluded)
	"ET": {9.15, 39.00, 700},     // Ethiopia
	"FI": {62.50, 25.50, 550},    // Finland
	"FJ": {-17.71, 178.07, 250},  // Fiji
	"FK": {-51.70, -58.50, 100},  // Falkland Islands
	"FM": {7.20, 154.50, 1000},   // Micronesia: Chuuk to Kosrae
	"FO": {61.89, -6.91, 60},     // Faroe Islands
	"FR": {46.30, 1.90, 550},     // France (metropolitan)
	"GA": {-0.80, 11.61, 350},    // Gabon
	"GB": {54.00, -2.50, 500},    // United Kingdom
	"GD": {12.12, -61.68, 30},    // Grenada
	"GE": {42.10, 43.50, 250},    // Georgia
	"GF": {4.50, -53.00, 200},    // French Guiana
	"GG": {49.46, -2.59, 20},     // Guernsey
	"GH": {7.95, -1.02, 400},     // Ghana
	"GI": {36.14, -5.35, 5},      // Gibraltar
	"GL": {66.00, -49.00, 800},   // Greenland: the west coast
	"GM": {13.44, -15.31, 150},   // Gambia
	"GN": {9.95, -11.00, 450},    // Guinea
	"GP": {16.25, -61.58, 60},    // Guadeloupe
	"GQ": {2.50, 9.50, 250},      // Equatorial Guinea
	"GR": {38.50, 23.00, 500},    // Greece
	"GS": {-54.43, -36.59, 100},  // South Georgia and the South Sandwich Islands
	"GT": {15.50, -90.30, 250},   // Guatemala
	"GU": {13.44, 144.79, 30},    // Guam
	"GW": {11.80, -15.18, 150},   // Guinea-Bissau
	"GY": {5.50, -58.50, 350},    // Guyana
	"HK": {22.32, 114.17, 30},    // Hong Kong
	"HM": {-53.08, 73.50, 50},    // Heard Island and McDonald Islands
	"HN": {15.00, -86.50, 300},   // Honduras
	"HR": {45.10, 15.20, 380},    // Croatia
	"HT": {18.97, -72.29, 180},   // Haiti
	"HU": {47.16, 19.50, 250},    // Hungary
	"ID": {-4.00, 110.00, 1800},  // Indonesia: Sumatra to Sulawesi (Papua excluded)
	"IE": {53.41, -8.24, 250},    // Ireland
	"IL": {31.50, 34.90, 220},    // Israel
	"IM": {54.24, -4.55, 30},     // Isle of Man
	"IN": {21.00, 79.00, 1600},   // India
	"IO": {-7.31, 72.41, 50},     // British Indian Ocean Territory
	"IQ": {33.22, 43.68, 500},    // Iraq
	"IR": {32.43, 53.69, 950},    // Iran
	"IS": {64.96, -19.02, 250},   // Iceland
	"IT": {41.87, 12.57, 650},    // Italy
	"JE": {49.21, -2.13, 20},     // Jersey
	"JM": {18.11, -77.30, 150},   // Jamaica
	"JO": {31.20, 36.00, 250},    // Jordan
	"JP": {36.20, 138.25, 1000},  // Japan (Okinawa excluded)
	"KE": {-0.02, 37.91, 600},    // Kenya
	"KG": {41.20, 74.77, 400},    // Kyrgyzstan
	"KH": {12.57, 104.99, 300},   // Cambodia
	"KI": {1.35, 173.00, 600},    // Kiribati: the Gilbert Islands
	"KM": {-11.88, 43.87, 150},   // Comoros
	"KN": {17.30, -62.72, 25},    // Saint Kitts and Nevis
	"KP": {40.34, 127.51, 300},   // North Korea
	"KR": {35.91, 127.77, 300},   // South Korea
	"KW": {29.31, 47.48, 100},    // Kuwait
	"KY": {19.31, -81.25, 50},    // Cayman Islands
	"KZ": {48.02, 66.92, 1400},   // Kazakhstan
	"LA": {18.00, 103.50, 450},   // Laos
	"LB": {33.85, 35.86, 100},    // Lebanon
	"LC": {13.91, -60.98, 25},    // Saint Lucia
	"LI": {47.17, 9.56, 15},      // Liechtenstein
	"LK": {7.87, 80.77, 250},     // Sri Lanka
	"LR": {6.43, -9.43, 300},     // Liberia
	"LS": {-29.61, 28.23, 150},   // Lesotho
	"LT": {55.17, 23.88, 200},    // Lithuania
	"LU": {49.82, 6.13, 40},      // Luxembourg
	"LV": {56.88, 24.60, 250},    // Latvia
	"LY": {30.50, 17.00, 750},    // Libya: the coast and the Fezzan
	"MA": {32.50, -6.50, 520},    // Morocco
	"MC": {43.74, 7.42, 5},       // Monaco
	"MD": {47.41, 28.37, 200},    // Moldova
	"ME": {42.71, 19.37, 100},    // Montenegro
	"MF": {18.08, -63.05, 10},    // Saint Martin
	"MG": {-18.77, 46.87, 750},   // Madagascar
	"MH": {7.50, 170.00, 400},    // Marshall Islands
	"MK": {41.61, 21.75, 120},    // North Macedonia
	"ML": {14.00, -6.00, 700},    // Mali: the populated south and the Niger bend
	"MM": {19.50, 96.20, 700},    // Myanmar
	"MN": {47.50, 104.00, 900},   // Mongolia
	"MO": {22.16, 113.56, 10},    // Macao
	"MP": {15.20, 145.75, 50},    // Northern Mariana Islands
	"MQ": {14.64, -61.02, 40},    // Martinique
	"MR": {19.00, -12.00, 600},   // Mauritania
	"MS": {16.74, -62.19, 10},    // Montserrat
	"MT": {35.92, 14.41, 30},     // Malta
	"MU": {-20.25, 57.55, 50},    // Mauritius (Rodrigues excluded)
	"MV": {3.20, 73.22, 450},     // Maldives
	"MW": {-13.25, 34.30, 420},   // Malawi
	"MX": {23.63, -102.55, 1600}, // Mexico
	"MY": {3.80, 106.50, 1200},   // Malaysia: the peninsula and Borneo
	"MZ": {-18.67, 35.53, 950},   // Mozambique
	"NA": {-21.50, 17.50, 600},   // Namibia
	"NC": {-21.30, 165.50, 250},  // New Caledonia
	"NE": {14.50, 6.00, 650},     // Niger: the populated south
	"NF": {-29.04, 167.95, 10},   // Norfolk Island
	"NG": {9.08, 8.00, 700},      // Nigeria
	"NI": {12.87, -85.21, 250},   // Nicaragua
	"NL": {52.13, 5.29, 160},     // Netherlands
	"NO": {62.50, 11.00, 900},    // Norway
	"NP": {28.39, 84.12, 450},    // Nepal
	"NR": {-0.52, 166.93, 10},    // Nauru
	"NU": {-19.05, -169.87, 15},  // Niue
	"NZ": {-40.90, 174.89, 800},  // New Zealand
	"OM": {21.00, 56.50, 550},    // Oman
	"PA": {8.54, -80.78, 300},    // Panama
	"PE": {-10.50, -75.50, 1100}, // Peru
	"PF": {-17.54, -149.57, 300}, // French Polynesia: the Society Islands
	"PG": {-6.31, 145.50, 750},   // Papua New Guinea
	"PH": {12.00, 122.00, 900},   // Philippines
	"PK": {30.38, 69.35, 900},    // Pakistan
	"PL": {51.92, 19.15, 370},    // Poland
	"PM": {46.88, -56.25, 30},    // Saint Pierre and Miquelon
	"PN": {-25.07, -130.10, 10},  // Pitcairn
	"PR": {18.22, -66.59, 100},   // Puerto Rico
	"PS": {31.95, 35.10, 100},    // Palestine
	"PT": {39.40, -8.22, 320},    // Portugal (Azores and Madeira excluded)
	"PW": {7.40, 134.55, 50},     // Palau
	"PY": {-24.50, -57.00, 400},  // Paraguay
	"QA": {25.35, 51.18, 80},     // Qatar
	"RE": {-21.12, 55.54, 40},    // Réunion
	"RO": {45.94, 24.97, 370},    // Romania
	"RS": {44.02, 21.01, 260},    // Serbia
	"RU": {56.00, 62.00, 3000},   // Russia: Kaliningrad to Irkutsk (Far East excluded)
	"RW": {-1.94, 29.87, 120},    // Rwanda
	"SA": {23.89, 45.08, 1000},   // Saudi Arabia
	"SB": {-9.40, 159.00, 400},   // Solomon Islands
	"SC": {-4.68, 55.49, 50},     // Seychelles
	"SD": {14.50, 31.50, 950},    // Sudan
	"SE": {60.13, 16.50, 700},    // Sweden
	"SG": {1.35, 103.82, 25},     // Singapore
	"SH": {-15.96, -5.70, 50},    // Saint Helena
	"SI": {46.15, 14.99, 130},    // Slovenia
	"SJ": {78.22, 15.65, 50},     // Svalbard and Jan Mayen
	"SK": {48.67, 19.70, 250},    // Slovakia
	"SL": {8.46, -11.78, 200},    // Sierra Leone
	"SM": {43.94, 12.46, 10},     // San Marino
	"SN": {14.50, -14.45, 350},   // Senegal
	"SO": {5.15, 46.20, 850},     // Somalia
	"SR": {5.00, -55.50, 250},    // Suriname
	"SS": {6.88, 30.50, 500},     // South Sudan
	"ST": {0.30, 6.70, 60},       // São Tomé and Príncipe
	"SV": {13.79, -88.90, 150},   // El Salvador
	"SX": {18.04, -63.05, 10},    // Sint Maarten
	"SY": {34.80, 38.00, 400},    // Syria
	"SZ": {-26.52, 31.47, 100},   // Eswatini
	"TC": {21.69, -71.80, 100},   // Turks and Caicos Islands
	"TD": {12.50, 17.50, 650},    // Chad
	"TF": {-49.28, 69.35, 200},   // French Southern Territories
	"TG": {8.62, 0.82, 300},      // Togo
	"TH": {14.00, 100.50, 800},   // Thailand
	"TJ": {38.86, 70.50, 350},    // Tajikistan
	"TK": {-8.97, -171.86, 100},  // Tokelau
	"TL": {-8.87, 125.73, 150},   // Timor-Leste
	"TM": {38.97, 59.56, 600},    // Turkmenistan
	"TN": {35.00, 9.80, 300},     // Tunisia
	"TO": {-21.18, -175.20, 300}, // Tonga
	"TR": {38.96, 34.00, 850},    // Türkiye
	"TT": {10.69, -61.22, 60},    // Trinidad and Tobago
	"TV": {-8.52, 179.20, 300},   // Tuvalu
	"TW": {23.70, 120.96, 300},   // Taiwan
	"TZ": {-6.37, 34.89, 750},    // Tanzania
	"UA": {49.00, 31.00, 650},    // Ukraine
	"UG": {1.37, 32.29, 350},     // Uganda
	"UM": {19.28, 166.65, 200},   // U.S. Minor Outlying Islands (Wake Island)
	"US": {40.00, -97.00, 2300},  // United States: the 48 contiguous states
	"UY": {-32.80, -56.00, 300},  // Uruguay
	"UZ": {41.00, 65.50, 700},    // Uzbekistan
	"VA": {41.90, 12.45, 5},      // Holy See
	"VC": {13.25, -61.20, 60},    // Saint Vincent and the Grenadines
	"VE": {8.50, -67.00, 650},    // Venezuela
	"VG": {18.42, -64.64, 30},    // British Virgin Islands
	"VI": {18.00, -64.80, 60},    // U.S. Virgin Islands
	"VN": {15.50, 106.50, 900},   // Viet Nam
	"VU": {-16.50, 167.50, 400},  // Vanuatu
	"WF": {-13.28, -176.18, 250}, // Wallis and Futuna
	"WS": {-13.76, -172.10, 100}, // Samoa
	"XK": {42.60, 20.90, 80},     // Kosovo (user-assigned code)
	"YE": {15.00, 46.00, 550},    // Yemen (Socotra excluded)
	"YT": {-12.83, 45.17, 25},    // Mayotte
	"ZA": {-29.00, 25.50, 900},   // South Africa
	"ZM": {-13.13, 27.85, 600},   // Zambia
	"ZW": {-19.02, 29.15, 400},   // Zimbabwe
}
