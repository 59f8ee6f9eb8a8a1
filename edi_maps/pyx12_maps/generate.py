"""Source of truth for the pyx12 map folder next to this file.

pyx12 validates against XML maps, and ``map_path`` switches *every* lookup to one folder,
so the folder must hold the whole kit: ``maps.xml`` (which map for which ISA12/GS01/GS08),
``dataele.xml`` (every data element any map uses: pyx12's bundled one is HIPAA-only),
``codes.xml``, the two control maps and one map per Amazon transaction set. Ten maps share
the same envelope and the same X12 segment definitions, so they are built from the tables
below instead of being edited by hand; the XML is committed, and a unit test fails when it
differs from what this module renders.

Regenerate after editing a table::

    python -m edi_maps.pyx12_maps.generate

Segment and element definitions follow the X12 004010 standard (005010 where the 856 needs
it), restricted to the segments the public Amazon retail guides use. Usage is the
standard's: M becomes ``R``, O and X become ``S`` (X elements get their syntax rules).

Amazon's code lists live in ``codes.xml`` and elements point at them with
``<valid_codes external="..."/>``. pyx12 uses an *inline* code list on a segment's first
element to pick which map segment a data segment is, so an inline list on DTM01 would turn
"DTM*999" into "segment not found" (AK3 1) instead of "invalid code" (AK4 7). External
lists are checked the same way but never steer matching. The only inline lists are the
fixed envelope values and HL03 in the 856, where steering is wanted: HL03 decides which
hierarchical level (shipment, order, tare, pack, item) a HL segment opens.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

MAP_DIR = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------
# Data element dictionary: number -> (type, min length, max length, name).
# One dictionary serves 004010 and 005010: where 005010 widened an element (127), the
# wider length is kept.
# ---------------------------------------------------------------------------------------
DATA_ELEMENTS: dict[str, tuple[str, int, int, str]] = {
    # Interchange control
    "I01": ("ID", 2, 2, "Authorization Information Qualifier"),
    "I02": ("AN", 10, 10, "Authorization Information"),
    "I03": ("ID", 2, 2, "Security Information Qualifier"),
    "I04": ("AN", 10, 10, "Security Information"),
    "I05": ("ID", 2, 2, "Interchange ID Qualifier"),
    "I06": ("AN", 15, 15, "Interchange Sender ID"),
    "I07": ("AN", 15, 15, "Interchange Receiver ID"),
    "I08": ("DT", 6, 6, "Interchange Date"),
    "I09": ("TM", 4, 4, "Interchange Time"),
    "I10": ("ID", 1, 1, "Interchange Control Standards Identifier"),
    "I11": ("ID", 5, 5, "Interchange Control Version Number"),
    "I12": ("N0", 9, 9, "Interchange Control Number"),
    "I13": ("ID", 1, 1, "Acknowledgment Requested"),
    "I14": ("ID", 1, 1, "Usage Indicator"),
    # Separators are not data: any character the data does not use may serve, so they
    # get pyx12's "B" type, which skips the character-set check ("^" is not in it).
    "I15": ("B", 1, 1, "Component Element Separator"),
    "I16": ("N0", 1, 5, "Number of Included Functional Groups"),
    "I17": ("ID", 1, 1, "Interchange Acknowledgment Code"),
    "I18": ("ID", 3, 3, "Interchange Note Code"),
    "I65": ("B", 1, 1, "Repetition Separator"),
    # Functional group and transaction set control
    "28": ("N0", 1, 9, "Group Control Number"),
    "96": ("N0", 1, 10, "Number of Included Segments"),
    "97": ("N0", 1, 6, "Number of Transaction Sets Included"),
    "124": ("AN", 2, 15, "Application Receiver's Code"),
    "142": ("AN", 2, 15, "Application Sender's Code"),
    "143": ("ID", 3, 3, "Transaction Set Identifier Code"),
    "329": ("AN", 4, 9, "Transaction Set Control Number"),
    "455": ("ID", 1, 2, "Responsible Agency Code"),
    "479": ("ID", 2, 2, "Functional Identifier Code"),
    "480": ("AN", 1, 12, "Version / Release / Industry Identifier Code"),
    "1705": ("AN", 1, 35, "Implementation Convention Reference"),
    # Business elements (by number)
    "2": ("N0", 1, 6, "Number of Accepted Transaction Sets"),
    "19": ("AN", 2, 30, "City Name"),
    "22": ("AN", 1, 30, "Commodity Code"),
    "23": ("ID", 1, 1, "Commodity Code Qualifier"),
    "24": ("ID", 2, 4, "Equipment Type"),
    "26": ("ID", 2, 3, "Country Code"),
    "40": ("ID", 2, 2, "Equipment Description Code"),
    "54": ("ID", 2, 2, "Risk of Loss Code"),
    "61": ("AN", 1, 30, "Free-form Information"),
    "65": ("R", 1, 8, "Height"),
    "66": ("ID", 1, 2, "Identification Code Qualifier"),
    "67": ("AN", 2, 80, "Identification Code"),
    "76": ("AN", 1, 22, "Invoice Number"),
    "79": ("AN", 1, 50, "Lading Description"),
    "80": ("N0", 1, 7, "Lading Quantity"),
    "81": ("R", 1, 10, "Weight"),
    "82": ("R", 1, 8, "Length"),
    "87": ("AN", 1, 48, "Marks and Numbers"),
    "88": ("ID", 1, 2, "Marks and Numbers Qualifier"),
    "91": ("ID", 1, 2, "Transportation Method/Type Code"),
    "92": ("ID", 2, 2, "Purchase Order Type Code"),
    "93": ("AN", 1, 60, "Name"),
    "98": ("ID", 2, 3, "Entity Identifier Code"),
    "100": ("ID", 3, 3, "Currency Code"),
    "102": ("ID", 1, 1, "Ownership Code"),
    "103": ("AN", 3, 5, "Packaging Code"),
    "107": ("ID", 1, 2, "Payment Method Code"),
    "116": ("ID", 3, 15, "Postal Code"),
    "118": ("R", 1, 9, "Rate"),
    "123": ("N0", 1, 6, "Number of Received Transaction Sets"),
    "127": ("AN", 1, 50, "Reference Identification"),
    "128": ("ID", 2, 3, "Reference Identification Qualifier"),
    "133": ("ID", 1, 2, "Routing Sequence Code"),
    "146": ("ID", 2, 2, "Shipment Method of Payment"),
    "156": ("ID", 2, 2, "State or Province Code"),
    "166": ("AN", 1, 55, "Address Information"),
    "183": ("R", 1, 8, "Volume"),
    "187": ("ID", 1, 2, "Weight Qualifier"),
    "189": ("R", 1, 8, "Width"),
    "206": ("AN", 1, 4, "Equipment Initial"),
    "207": ("AN", 1, 10, "Equipment Number"),
    "212": ("R", 1, 17, "Unit Price"),
    "225": ("AN", 2, 15, "Seal Number"),
    "234": ("AN", 1, 48, "Product/Service ID"),
    "235": ("ID", 2, 2, "Product/Service ID Qualifier"),
    "236": ("ID", 3, 3, "Price Identifier Code"),
    "248": ("ID", 1, 1, "Allowance or Charge Indicator"),
    "280": ("R", 4, 10, "Exchange Rate"),
    "284": ("ID", 1, 2, "Service Level Code"),
    "289": ("N0", 1, 2, "Multiple Price Quantity"),
    "305": ("ID", 1, 2, "Transaction Handling Code"),
    "306": ("ID", 1, 2, "Action Code"),
    "309": ("ID", 1, 2, "Location Qualifier"),
    "310": ("AN", 1, 30, "Location Identifier"),
    "324": ("AN", 1, 22, "Purchase Order Number"),
    "326": ("AN", 1, 45, "Request Reference Number"),
    "327": ("AN", 1, 8, "Change Order Sequence Number"),
    "328": ("AN", 1, 30, "Release Number"),
    "330": ("R", 1, 15, "Quantity Ordered"),
    "331": ("ID", 2, 2, "Allowance or Charge Method of Handling Code"),
    "332": ("R", 1, 6, "Percent"),
    "333": ("ID", 1, 2, "Terms Basis Date Code"),
    "334": ("ID", 2, 2, "Transportation Terms Qualifier Code"),
    "335": ("ID", 3, 3, "Transportation Terms Code"),
    "336": ("ID", 2, 2, "Terms Type Code"),
    "337": ("TM", 4, 8, "Time"),
    "338": ("R", 1, 6, "Terms Discount Percent"),
    "342": ("R", 1, 5, "Percent of Invoice Payable"),
    "347": ("R", 1, 10, "Hash Total"),
    "349": ("ID", 1, 1, "Item Description Type"),
    "350": ("AN", 1, 20, "Assigned Identification"),
    "351": ("N0", 1, 3, "Terms Discount Days Due"),
    "352": ("AN", 1, 80, "Description"),
    "353": ("ID", 2, 2, "Transaction Set Purpose Code"),
    "354": ("N0", 1, 6, "Number of Line Items"),
    "355": ("ID", 2, 2, "Unit or Basis for Measurement Code"),
    "356": ("N0", 1, 6, "Pack"),
    "357": ("R", 1, 8, "Size"),
    "358": ("R", 1, 10, "Quantity Invoiced"),
    "362": ("N2", 1, 10, "Terms Discount Amount"),
    "364": ("AN", 1, 80, "Communication Number"),
    "365": ("ID", 2, 2, "Communication Number Qualifier"),
    "366": ("ID", 2, 2, "Contact Function Code"),
    "367": ("AN", 1, 30, "Contract Number"),
    "368": ("ID", 2, 2, "Shipment/Order Status Code"),
    "370": ("DT", 8, 8, "Terms Discount Due Date"),
    "373": ("DT", 8, 8, "Date"),
    "374": ("ID", 3, 3, "Date/Time Qualifier"),
    "378": ("ID", 1, 1, "Allowance/Charge Percent Qualifier"),
    "380": ("R", 1, 15, "Quantity"),
    "382": ("R", 1, 10, "Number of Units Shipped"),
    "384": ("R", 1, 9, "Gross Weight per Pack"),
    "385": ("R", 1, 9, "Gross Volume per Pack"),
    "386": ("N0", 1, 3, "Terms Net Days"),
    "387": ("AN", 1, 35, "Routing"),
    "388": ("DT", 8, 8, "Terms Deferred Due Date"),
    "389": ("N2", 1, 10, "Deferred Amount Due"),
    "396": ("AN", 2, 30, "Shipment Identification"),
    "407": ("ID", 1, 2, "Seal Status Code"),
    "426": ("ID", 2, 2, "Adjustment Reason Code"),
    "443": ("AN", 1, 20, "Contact Inquiry Reference"),
    "446": ("DT", 8, 8, "Terms Net Due Date"),
    "447": ("AN", 1, 4, "Loop Identifier Code"),
    "478": ("ID", 1, 1, "Credit/Debit Flag Code"),
    "481": ("ID", 1, 2, "Trace Type Code"),
    "482": ("ID", 2, 2, "Payment Action Code"),
    "499": ("AN", 1, 10, "Condition Value"),
    "506": ("ID", 2, 2, "(DFI) ID Number Qualifier"),
    "507": ("AN", 3, 12, "(DFI) Identification Number"),
    "508": ("AN", 1, 35, "Account Number"),
    "509": ("AN", 10, 10, "Originating Company Identifier"),
    "510": ("AN", 9, 9, "Originating Company Supplemental Code"),
    "522": ("ID", 1, 3, "Amount Qualifier Code"),
    "554": ("N0", 1, 6, "Assigned Number"),
    "559": ("ID", 2, 2, "Agency Qualifier Code"),
    "560": ("ID", 1, 2, "Special Services Code"),
    "563": ("ID", 1, 2, "Sales Requirement Code"),
    "566": ("ID", 1, 2, "Product/Service Substitution Code"),
    "569": ("ID", 1, 3, "Account Number Qualifier"),
    "587": ("ID", 2, 2, "Acknowledgment Type"),
    "591": ("ID", 3, 3, "Payment Method Code"),
    "610": ("N2", 1, 15, "Amount"),
    "623": ("ID", 2, 2, "Time Code"),
    "628": ("AN", 1, 12, "Hierarchical ID Number"),
    "639": ("ID", 2, 2, "Basis of Unit Price Code"),
    "640": ("ID", 2, 2, "Transaction Type Code"),
    "641": ("ID", 3, 3, "Status Reason Code"),
    "646": ("R", 1, 15, "Quantity Shipped to Date"),
    "648": ("ID", 3, 3, "Price Multiplier Qualifier"),
    "649": ("R", 1, 10, "Multiplier"),
    "668": ("ID", 2, 2, "Line Item Status Code"),
    "670": ("ID", 2, 2, "Change or Response Type Code"),
    "671": ("R", 1, 9, "Quantity Left to Receive"),
    "673": ("ID", 2, 2, "Quantity Qualifier"),
    "687": ("ID", 2, 2, "Class of Trade Code"),
    "706": ("ID", 2, 2, "Entity Relationship Code"),
    "715": ("ID", 1, 1, "Functional Group Acknowledge Code"),
    "716": ("ID", 1, 3, "Functional Group Syntax Error Code"),
    "717": ("ID", 1, 1, "Transaction Set Acknowledgment Code"),
    "718": ("ID", 1, 3, "Transaction Set Syntax Error Code"),
    "719": ("N0", 1, 6, "Segment Position in Transaction Set"),
    "720": ("ID", 1, 3, "Segment Syntax Error Code"),
    "721": ("ID", 2, 3, "Segment ID Code"),
    "722": ("N0", 1, 2, "Element Position in Segment"),
    "723": ("ID", 1, 3, "Data Element Syntax Error Code"),
    "724": ("AN", 1, 99, "Copy of Bad Data Element"),
    "725": ("N0", 1, 4, "Data Element Reference Number"),
    "728": ("ID", 1, 2, "Returnable Container Load Make-Up Code"),
    "731": ("ID", 1, 2, "Transit Direction Code"),
    "732": ("ID", 2, 2, "Transit Time Direction Qualifier"),
    "733": ("R", 1, 4, "Transit Time"),
    "734": ("AN", 1, 12, "Hierarchical Parent ID Number"),
    "735": ("ID", 1, 2, "Hierarchical Level Code"),
    "736": ("ID", 1, 1, "Hierarchical Child Code"),
    "750": ("ID", 2, 3, "Product/Process Characteristic Code"),
    "751": ("AN", 1, 12, "Product Description Code"),
    "752": ("ID", 2, 2, "Surface/Layer/Position Code"),
    "755": ("ID", 2, 2, "Report Type Code"),
    "765": ("N0", 1, 2, "Day of Month"),
    "770": ("AN", 1, 30, "Option Number"),
    "782": ("R", 1, 18, "Monetary Amount"),
    "786": ("ID", 2, 2, "Security Level Code"),
    "810": ("N0", 1, 6, "Inner Pack"),
    "812": ("ID", 1, 10, "Payment Format Code"),
    "819": ("ID", 2, 3, "Language Code"),
    "822": ("AN", 1, 15, "Source Subqualifier"),
    "954": ("R", 1, 10, "Percent"),
    "1004": ("ID", 1, 2, "Percent Qualifier"),
    "1005": ("ID", 4, 4, "Hierarchical Structure Code"),
    "1018": ("R", 1, 15, "Exponent"),
    "1019": ("ID", 3, 3, "Invoice Type Code"),
    "1048": ("ID", 3, 3, "Business Function Code"),
    "1073": ("ID", 1, 1, "Yes/No Condition or Response Code"),
    "1166": ("ID", 2, 2, "Contract Type Code"),
    "1232": ("ID", 2, 2, "Purchase Category"),
    "1250": ("ID", 2, 3, "Date Time Period Format Qualifier"),
    "1251": ("AN", 1, 35, "Date Time Period"),
    "1271": ("AN", 1, 30, "Industry Code"),
    "1300": ("ID", 4, 4, "Service, Promotion, Allowance, or Charge Code"),
    "1301": ("AN", 1, 10, "Agency Service, Promotion, Allowance, or Charge Code"),
    "1470": ("N0", 1, 4, "Number"),
    "1528": ("N0", 1, 2, "Component Data Element Position in Composite"),
    "1715": ("ID", 1, 3, "Country Subdivision Code"),
}

# ---------------------------------------------------------------------------------------
# Code lists (codes.xml). Amazon's where its public guides fix them; X12's own lists for
# the 997 and TA1 codes.
# ---------------------------------------------------------------------------------------
PRODUCT_ID_QUALIFIERS = ["BP", "EN", "IB", "UP", "VN", "VP"]

CODE_LISTS: dict[str, tuple[str, str, list[str]]] = {
    # id: (data element, name, codes)
    "amazon_po_purpose": ("353", "850 BEG01: original only", ["00"]),
    "amazon_order_type": ("92", "Amazon order types (850 BEG02, 860 BCH02)", ["CN", "NE", "NP", "RO"]),
    "amazon_back_order": ("563", "850 CSH01: N no back order, Y back order if out of stock", ["N", "Y"]),
    "amazon_po_dates": ("374", "850/860 DTM01: ship or delivery window", ["037", "038", "063", "064"]),
    "amazon_unit": ("355", "Units Amazon orders in: eaches or cases", ["CA", "EA"]),
    "amazon_product_id": ("235", "Product identifier qualifiers: ASIN, EAN, ISBN, UPC, vendor item", PRODUCT_ID_QUALIFIERS),
    "amazon_asn_product_id": ("235", "856 LIN qualifiers: product identifiers plus lot number", PRODUCT_ID_QUALIFIERS + ["LT"]),
    "amazon_ship_to": ("98", "850 N101: ship-to fulfilment centre", ["ST"]),
    "amazon_fc_id_qualifier": ("66", "850 N103: assigned by buyer, or SAN", ["15", "92"]),
    "amazon_change_purpose": ("353", "860 BCH01: cancellation or change", ["01", "04"]),
    "amazon_change_type": ("670", "860 POC02 line change types", ["AI", "CA", "CT", "DI", "PC", "PQ", "PR", "QD", "QI"]),
    "amazon_ack_purpose": ("353", "855 BAK01: original", ["00"]),
    "amazon_ack_type": ("587", "855 BAK02: AC with detail and change, AD with detail no change", ["AC", "AD"]),
    "amazon_line_status": (
        "668",
        "855 ACK01 line item status",
        ["AC", "AR", "BP", "DR", "IA", "IB", "IC", "ID", "IP", "IQ", "IR", "IS", "R1", "R2", "R3", "R4", "SP"],
    ),
    "amazon_ack_dates": ("374", "855 ACK04: scheduled ship or delivery date", ["017", "067", "068", "069"]),
    "amazon_asn_purpose": ("353", "856 BSN01: original or replacement", ["00", "05"]),
    "amazon_asn_structure": ("1005", "856 BSN05 hierarchical structures", ["0001", "0002", "0004"]),
    "amazon_asn_dates": ("374", "856 BSN-level DTM01: shipped, estimated delivery", ["011", "017"]),
    "amazon_asn_shipment_ref": ("128", "856 shipment REF01: appointment, bill of lading, carrier PRO", ["AO", "BM", "CN"]),
    "amazon_asn_parties": ("98", "856 N101: ship-from and ship-to", ["SF", "ST"]),
    "amazon_marks_qualifier": ("88", "856 MAN01: SSCC-18 (GM), carrier package id (CP), ...", ["AA", "CP", "GM", "UC"]),
    "allowance_or_charge": ("248", "SAC01 allowance or charge", ["A", "C", "N"]),
    "payment_handling": ("305", "820 BPR01 transaction handling", ["C", "D", "I", "P", "U", "X"]),
    "remittance_parties": ("98", "820 N101: payer and payee", ["PE", "PR"]),
    "ak3_segment_error": ("720", "997 AK304 segment syntax error codes", ["1", "2", "3", "4", "5", "6", "7", "8"]),
    "ak4_element_error": (
        "723",
        "997 AK403 data element syntax error codes",
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13"],
    ),
    "ak5_set_ack": ("717", "997 AK501 transaction set acknowledgment codes", ["A", "E", "M", "R", "W", "X"]),
    "ak5_set_error": (
        "718",
        "997 AK502-AK506 transaction set syntax error codes",
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "23", "24", "25", "26", "27"],
    ),
    "ak9_group_ack": ("715", "997 AK901 functional group acknowledge codes", ["A", "E", "M", "P", "R", "W", "X"]),
    "ak9_group_error": (
        "716",
        "997 AK905-AK909 functional group syntax error codes",
        ["1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "23", "24", "25", "26"],
    ),
}

TA1_NOTE_CODES = [f"{n:03d}" for n in range(0, 32)]

# ---------------------------------------------------------------------------------------
# Segments: tag -> (name, elements, syntax rules). An element is (data element, M|O|X);
# a composite is ("C001", M|O|X). Syntax rules use X12's notation (P paired, R at least
# one, C conditional, L list, E exclusion) over 2-digit element positions.
# ---------------------------------------------------------------------------------------
COMPOSITES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "C001": (
        "Composite Unit of Measure",
        [("355", "M")] + [("1018", "O"), ("649", "O")] + [("355", "O"), ("1018", "O"), ("649", "O")] * 4,
    ),
    "C030": ("Position in Segment", [("722", "M"), ("1528", "O")]),
    "C040": ("Reference Identifier", [("128", "M"), ("127", "M"), ("128", "X"), ("127", "X"), ("128", "X"), ("127", "X")]),
}


def _pairs(count: int, qualifier: str = "235", value: str = "234") -> list[tuple[str, str]]:
    """``count`` optional qualifier/value pairs (PO106/PO107, LIN04/LIN05, ...)."""
    return [(qualifier, "X"), (value, "X")] * count


def _paired_rules(first: int, count: int) -> list[str]:
    """P rules for ``count`` qualifier/value pairs starting at position ``first``."""
    return [f"P{first + 2 * i:02d}{first + 2 * i + 1:02d}" for i in range(count)]


SEGMENTS: dict[str, tuple[str, list[tuple[str, str]], list[str]]] = {
    "ACK": (
        "Line Item Acknowledgment",
        [("668", "M"), ("380", "X"), ("355", "X"), ("374", "X"), ("373", "O"), ("326", "O")]
        + _pairs(10)
        + [("559", "O"), ("822", "O"), ("1271", "X")],
        ["P0203", "C0405"] + _paired_rules(7, 10),
    ),
    "ADX": ("Adjustment", [("782", "M"), ("426", "M"), ("128", "X"), ("127", "X")], ["P0304"]),
    "AK1": ("Functional Group Response Header", [("479", "M"), ("28", "M")], []),
    "AK2": ("Transaction Set Response Header", [("143", "M"), ("329", "M")], []),
    "AK3": ("Data Segment Note", [("721", "M"), ("719", "M"), ("447", "O"), ("720", "O")], []),
    "AK4": ("Data Element Note", [("C030", "M"), ("725", "O"), ("723", "M"), ("724", "O")], []),
    "AK5": (
        "Transaction Set Response Trailer",
        [("717", "M"), ("718", "O"), ("718", "O"), ("718", "O"), ("718", "O"), ("718", "O")],
        [],
    ),
    "AK9": (
        "Functional Group Response Trailer",
        [("715", "M"), ("97", "M"), ("123", "M"), ("2", "M")] + [("716", "O")] * 5,
        [],
    ),
    "AMT": ("Monetary Amount", [("522", "M"), ("782", "M"), ("478", "O")], []),
    "BAK": (
        "Beginning Segment for Purchase Order Acknowledgment",
        [("353", "M"), ("587", "M"), ("324", "M"), ("373", "M"), ("328", "O"), ("326", "O"),
         ("367", "O"), ("127", "O"), ("373", "O"), ("640", "O")],
        [],
    ),
    "BCH": (
        "Beginning Segment for Purchase Order Change",
        [("353", "M"), ("92", "M"), ("324", "M"), ("328", "O"), ("327", "O"), ("373", "M"),
         ("373", "O"), ("326", "O"), ("367", "O"), ("373", "O"), ("373", "O")],
        [],
    ),
    "BEG": (
        "Beginning Segment for Purchase Order",
        [("353", "M"), ("92", "M"), ("324", "M"), ("328", "O"), ("373", "M"), ("367", "O"),
         ("587", "O"), ("1019", "O"), ("1166", "O"), ("1232", "O"), ("786", "O"), ("640", "O")],
        [],
    ),
    "BIA": (
        "Beginning Segment for Inventory Inquiry/Advice",
        [("353", "M"), ("755", "M"), ("127", "M"), ("373", "M"), ("337", "O"), ("640", "O")],
        [],
    ),
    "BIG": (
        "Beginning Segment for Invoice",
        [("373", "M"), ("76", "M"), ("373", "O"), ("324", "O"), ("328", "O"), ("327", "O"),
         ("640", "O"), ("353", "O"), ("306", "O"), ("76", "O")],
        [],
    ),
    "BPR": (
        "Beginning Segment for Payment Order/Remittance Advice",
        [("305", "M"), ("782", "M"), ("478", "M"), ("591", "M"), ("812", "X"), ("506", "X"),
         ("507", "X"), ("569", "O"), ("508", "X"), ("509", "O"), ("510", "O"), ("506", "X"),
         ("507", "X"), ("569", "O"), ("508", "X"), ("373", "O"), ("1048", "O"), ("506", "X"),
         ("507", "X"), ("569", "O"), ("508", "X")],
        ["P0607", "C0809", "P1213", "C1415", "P1819", "C2021"],
    ),
    "BSN": (
        "Beginning Segment for Ship Notice",
        [("353", "M"), ("396", "M"), ("373", "M"), ("337", "M"), ("1005", "O"), ("640", "X"), ("641", "O")],
        ["C0706"],
    ),
    "CSH": (
        "Sales Requirements",
        [("563", "O"), ("306", "X"), ("610", "X"), ("508", "X"), ("373", "O"), ("560", "O"),
         ("566", "O"), ("954", "O"), ("1004", "O")],
        [],
    ),
    "CTP": (
        "Pricing Information",
        [("687", "O"), ("236", "X"), ("212", "X"), ("380", "X"), ("C001", "X"), ("648", "X"),
         ("649", "X"), ("782", "O"), ("639", "O"), ("499", "O"), ("289", "O")],
        [],
    ),
    "CTT": (
        "Transaction Totals",
        [("354", "M"), ("347", "O"), ("81", "X"), ("355", "X"), ("183", "X"), ("355", "X"), ("352", "O")],
        ["P0304", "P0506"],
    ),
    "CUR": (
        "Currency",
        [("98", "M"), ("100", "M"), ("280", "O"), ("98", "O"), ("100", "O")],
        [],
    ),
    "DTM": (
        "Date/Time Reference",
        [("374", "M"), ("373", "X"), ("337", "X"), ("623", "O"), ("1250", "X"), ("1251", "X")],
        ["R020305", "C0403", "P0506"],
    ),
    "ENT": (
        "Entity",
        [("554", "O"), ("98", "X"), ("66", "X"), ("67", "X"), ("98", "X"), ("66", "X"), ("67", "X"),
         ("128", "X"), ("127", "X")],
        ["P020304", "P050607", "P0809"],
    ),
    "FOB": (
        "F.O.B. Related Instructions",
        [("146", "M"), ("309", "X"), ("352", "O"), ("334", "O"), ("335", "X"), ("309", "X"),
         ("352", "O"), ("54", "O"), ("352", "X")],
        ["C0302", "C0405", "C0706", "C0809"],
    ),
    "HL": ("Hierarchical Level", [("628", "M"), ("734", "O"), ("735", "M"), ("736", "O")], []),
    "IT1": (
        "Baseline Item Data (Invoice)",
        [("350", "O"), ("358", "X"), ("355", "X"), ("212", "X"), ("639", "O")] + _pairs(10),
        ["P020304"] + _paired_rules(6, 10),
    ),
    "ITD": (
        "Terms of Sale/Deferred Terms of Sale",
        [("336", "O"), ("333", "O"), ("338", "O"), ("370", "X"), ("351", "X"), ("446", "O"),
         ("386", "O"), ("362", "O"), ("388", "O"), ("389", "O"), ("342", "X"), ("352", "O"),
         ("765", "X"), ("107", "O"), ("954", "X")],
        [],
    ),
    "LIN": ("Item Identification", [("350", "O"), ("235", "M"), ("234", "M")] + _pairs(14), _paired_rules(4, 14)),
    "MAN": (
        "Marks and Numbers",
        [("88", "M"), ("87", "M"), ("87", "O"), ("88", "X"), ("87", "X"), ("87", "O")],
        ["P0405", "C0605"],
    ),
    "N1": (
        "Name",
        [("98", "M"), ("93", "X"), ("66", "X"), ("67", "X"), ("706", "O"), ("98", "O")],
        ["R0203", "P0304"],
    ),
    "N2": ("Additional Name Information", [("93", "M"), ("93", "O")], []),
    "N3": ("Address Information", [("166", "M"), ("166", "O")], []),
    "N4": (
        "Geographic Location",
        [("19", "O"), ("156", "O"), ("116", "O"), ("26", "O"), ("309", "X"), ("310", "O")],
        ["C0605"],
    ),
    "PER": (
        "Administrative Communications Contact",
        [("366", "M"), ("93", "O"), ("365", "X"), ("364", "X"), ("365", "X"), ("364", "X"),
         ("365", "X"), ("364", "X"), ("443", "O")],
        ["P0304", "P0506", "P0708"],
    ),
    "PID": (
        "Product/Item Description",
        [("349", "M"), ("750", "O"), ("559", "X"), ("751", "X"), ("352", "X"), ("752", "O"),
         ("822", "O"), ("1073", "O"), ("819", "O")],
        ["C0403", "R0405"],
    ),
    "PO1": (
        "Baseline Item Data",
        [("350", "O"), ("330", "X"), ("355", "O"), ("212", "X"), ("639", "O")] + _pairs(10),
        ["C0302", "C0504"] + _paired_rules(6, 10),
    ),
    "PO4": (
        "Item Physical Details",
        [("356", "O"), ("357", "X"), ("355", "X"), ("103", "X"), ("187", "O"), ("384", "X"),
         ("355", "X"), ("385", "X"), ("355", "X"), ("82", "X"), ("189", "X"), ("65", "X"),
         ("355", "X"), ("810", "O"), ("752", "O"), ("350", "X"), ("350", "O"), ("1470", "O")],
        [],
    ),
    "POC": (
        "Line Item Change",
        [("350", "O"), ("670", "M"), ("330", "X"), ("671", "X"), ("C001", "M"), ("212", "X"),
         ("639", "O")] + _pairs(10),
        _paired_rules(8, 10),
    ),
    "PRF": (
        "Purchase Order Reference",
        [("324", "M"), ("328", "O"), ("327", "O"), ("373", "O"), ("350", "O"), ("367", "O"), ("92", "O")],
        [],
    ),
    "QTY": ("Quantity", [("673", "M"), ("380", "X"), ("C001", "O"), ("61", "X")], ["R0204", "E0204"]),
    "REF": ("Reference Identification", [("128", "M"), ("127", "X"), ("352", "X"), ("C040", "O")], ["R0203"]),
    "RMR": (
        "Remittance Advice Accounts Receivable Open Item Reference",
        [("128", "X"), ("127", "X"), ("482", "O"), ("782", "O"), ("782", "O"), ("782", "O"),
         ("426", "X"), ("782", "X")],
        ["P0102", "P0708"],
    ),
    "SAC": (
        "Service, Promotion, Allowance, or Charge Information",
        [("248", "M"), ("1300", "X"), ("559", "X"), ("1301", "X"), ("610", "O"), ("378", "X"),
         ("332", "X"), ("118", "O"), ("355", "X"), ("380", "X"), ("380", "O"), ("331", "O"),
         ("127", "X"), ("770", "O"), ("352", "X"), ("819", "O")],
        ["R0203", "P0304", "P0607", "P0910"],
    ),
    "SCH": (
        "Line Item Schedule",
        [("380", "M"), ("355", "M"), ("98", "X"), ("93", "X"), ("374", "M"), ("373", "M"),
         ("337", "O"), ("374", "O"), ("373", "O"), ("337", "O"), ("326", "O"), ("350", "O")],
        [],
    ),
    "SN1": (
        "Item Detail (Shipment)",
        [("350", "O"), ("382", "M"), ("355", "M"), ("646", "O"), ("330", "X"), ("355", "X"),
         ("728", "O"), ("668", "O")],
        ["P0506"],
    ),
    "TD1": (
        "Carrier Details (Quantity and Weight)",
        [("103", "O"), ("80", "X"), ("23", "O"), ("22", "X"), ("79", "O"), ("187", "O"),
         ("81", "X"), ("355", "X"), ("183", "X"), ("355", "X")],
        ["C0102", "C0403", "P0708", "P0910"],
    ),
    "TD3": (
        "Carrier Details (Equipment)",
        [("40", "X"), ("206", "O"), ("207", "X"), ("187", "O"), ("81", "X"), ("355", "X"),
         ("102", "O"), ("407", "O"), ("225", "O"), ("24", "O")],
        [],
    ),
    "TD5": (
        "Carrier Details (Routing Sequence/Transit Time)",
        [("133", "O"), ("66", "X"), ("67", "X"), ("91", "X"), ("387", "X"), ("368", "X"),
         ("309", "O"), ("310", "X"), ("731", "O"), ("732", "X"), ("733", "X"), ("284", "X"),
         ("284", "O"), ("284", "O"), ("26", "O")],
        ["R0204050612", "C0203"],
    ),
    "TDS": ("Total Monetary Value Summary", [("610", "M"), ("610", "O"), ("610", "O"), ("610", "O")], []),
    "TRN": ("Trace", [("481", "M"), ("127", "M"), ("509", "O"), ("127", "O")], []),
}

# Segments whose 005010 form differs from 004010 in what the Amazon 856 uses.
SEGMENTS_5010_EXTRA: dict[str, list[tuple[str, str]]] = {
    "N4": [("1715", "X")],
}


# ---------------------------------------------------------------------------------------
# Transaction set structure
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Seg:
    """A segment at one place in a transaction set.

    ``codes`` maps an element position to a codes.xml list id; ``inline`` maps a position
    to an inline code list (only where the list must steer matching, see module doc).
    """

    tag: str
    usage: str
    max_use: str
    codes: dict[int, str] = field(default_factory=dict)
    inline: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Loop:
    """A loop: ``xid`` is the loop's name in the map, its first child starts it."""

    xid: str
    name: str
    usage: str
    repeat: str
    children: list[Seg | Loop]


@dataclass(frozen=True)
class TransactionMap:
    """One map file: a transaction set for one GS01 under one X12 version."""

    file_name: str
    set_id: str
    name: str
    functional_id: str
    version: str  # "004010" or "005010"
    body: list[Seg | Loop]

    @property
    def icvn(self) -> str:
        return "00401" if self.version == "004010" else "00501"


def _product_pairs(first: int, count: int, code_list: str = "amazon_product_id") -> dict[int, str]:
    """Attach the product identifier qualifier list to every qualifier of the pairs."""
    return {first + 2 * i: code_list for i in range(count)}


def _n1_loop(codes: dict[int, str] | None = None) -> Loop:
    return Loop(
        "N1",
        "Name",
        "S",
        "200",
        [
            Seg("N1", "R", "1", codes or {}),
            Seg("N2", "S", "2"),
            Seg("N3", "S", "2"),
            Seg("N4", "S", ">1"),
            Seg("REF", "S", "12"),
            Seg("PER", "S", ">1"),
        ],
    )


def _ctt_loop() -> Loop:
    return Loop("CTT", "Transaction Totals", "S", "1", [Seg("CTT", "R", "1"), Seg("AMT", "S", "1")])


MAP_850 = TransactionMap(
    "850.4010.amazon.xml",
    "850",
    "Purchase Order (Amazon retail)",
    "PO",
    "004010",
    [
        Seg("BEG", "R", "1", {1: "amazon_po_purpose", 2: "amazon_order_type"}),
        Seg("CUR", "S", "1"),
        Seg("REF", "S", ">1"),
        Seg("PER", "S", "3"),
        Seg("FOB", "S", ">1"),
        Seg("CSH", "S", "5", {1: "amazon_back_order"}),
        Seg("ITD", "S", ">1"),
        Seg("DTM", "S", "10", {1: "amazon_po_dates"}),
        Seg("TD5", "S", "12"),
        _n1_loop({1: "amazon_ship_to", 3: "amazon_fc_id_qualifier"}),
        Loop(
            "PO1",
            "Baseline Item Data",
            "R",
            "100000",
            [
                Seg("PO1", "R", "1", {3: "amazon_unit", **_product_pairs(6, 10)}),
                Seg("CUR", "S", "1"),
                Seg("CTP", "S", ">1"),
                Loop("PID", "Product/Item Description", "S", "1000", [Seg("PID", "R", "1")]),
                Seg("PO4", "S", ">1"),
                Seg("REF", "S", ">1"),
                Seg("DTM", "S", "10"),
            ],
        ),
        _ctt_loop(),
    ],
)

MAP_860 = TransactionMap(
    "860.4010.amazon.xml",
    "860",
    "Purchase Order Change Request - Buyer Initiated (Amazon retail)",
    "PC",
    "004010",
    [
        Seg("BCH", "R", "1", {1: "amazon_change_purpose", 2: "amazon_order_type"}),
        Seg("CUR", "S", "1"),
        Seg("REF", "S", ">1"),
        Seg("PER", "S", "3"),
        Seg("FOB", "S", ">1"),
        Seg("CSH", "S", "5", {1: "amazon_back_order"}),
        Seg("DTM", "S", "10", {1: "amazon_po_dates"}),
        _n1_loop({1: "amazon_ship_to", 3: "amazon_fc_id_qualifier"}),
        Loop(
            "POC",
            "Line Item Change",
            "S",
            "100000",
            [
                Seg("POC", "R", "1", {2: "amazon_change_type", **_product_pairs(8, 10)}),
                Seg("CUR", "S", "1"),
                Seg("CTP", "S", ">1"),
                Loop("PID", "Product/Item Description", "S", "1000", [Seg("PID", "R", "1")]),
                Seg("PO4", "S", ">1"),
                Seg("REF", "S", ">1"),
                Seg("DTM", "S", "10"),
            ],
        ),
        _ctt_loop(),
    ],
)

MAP_855 = TransactionMap(
    "855.4010.amazon.xml",
    "855",
    "Purchase Order Acknowledgment (Amazon retail)",
    "PR",
    "004010",
    [
        Seg("BAK", "R", "1", {1: "amazon_ack_purpose", 2: "amazon_ack_type"}),
        Seg("CUR", "S", "1"),
        Seg("REF", "S", ">1"),
        Seg("PER", "S", "3"),
        Seg("FOB", "S", ">1"),
        Seg("CSH", "S", "5"),
        Seg("DTM", "S", "10"),
        _n1_loop(),
        Loop(
            "PO1",
            "Baseline Item Data",
            "S",
            "100000",
            [
                Seg("PO1", "R", "1", {3: "amazon_unit", **_product_pairs(6, 10)}),
                Seg("CUR", "S", "1"),
                Seg("CTP", "S", ">1"),
                Loop("PID", "Product/Item Description", "S", "1000", [Seg("PID", "R", "1")]),
                Seg("PO4", "S", ">1"),
                Seg("REF", "S", ">1"),
                Seg("DTM", "S", "10"),
                Loop(
                    "ACK",
                    "Line Item Acknowledgment",
                    "S",
                    "104",
                    [
                        Seg(
                            "ACK",
                            "R",
                            "1",
                            {1: "amazon_line_status", 3: "amazon_unit", 4: "amazon_ack_dates",
                             **_product_pairs(7, 10)},
                        ),
                        Seg("DTM", "S", "1"),
                    ],
                ),
            ],
        ),
        _ctt_loop(),
    ],
)


def _asn_item_loop() -> Loop:
    return Loop(
        "HL_ITEM",
        "Item level",
        "S",
        ">1",
        [
            Seg("HL", "R", "1", inline={3: ["I"]}),
            Seg("LIN", "R", "1", _product_pairs(2, 15, "amazon_asn_product_id")),
            Seg("SN1", "S", "1", {3: "amazon_unit"}),
            Seg("PID", "S", "200"),
            Seg("PO4", "S", "1"),
            Seg("REF", "S", ">1"),
            Seg("MAN", "S", ">1", {1: "amazon_marks_qualifier"}),
            Seg("DTM", "S", "10"),
        ],
    )


def _asn_pack_loop() -> Loop:
    return Loop(
        "HL_PACK",
        "Pack (carton) level",
        "S",
        ">1",
        [
            Seg("HL", "R", "1", inline={3: ["P"]}),
            Seg("PO4", "S", "1"),
            Seg("MAN", "S", ">1", {1: "amazon_marks_qualifier"}),
            _asn_item_loop(),
        ],
    )


def _asn_body() -> list[Seg | Loop]:
    """The 856 hierarchy: S > O > (T > P > I | P > I | I)."""
    return [
        Seg("BSN", "R", "1", {1: "amazon_asn_purpose", 5: "amazon_asn_structure"}),
        Seg("DTM", "S", "10", {1: "amazon_asn_dates"}),
        Loop(
            "HL_SHIPMENT",
            "Shipment level",
            "R",
            "1",
            [
                Seg("HL", "R", "1", inline={3: ["S"]}),
                Seg("TD1", "S", "20"),
                Seg("TD5", "S", "12"),
                Seg("TD3", "S", "12"),
                Seg("REF", "S", ">1", {1: "amazon_asn_shipment_ref"}),
                Seg("DTM", "S", "10"),
                Seg("FOB", "S", "1"),
                _n1_loop({1: "amazon_asn_parties"}),
                Loop(
                    "HL_ORDER",
                    "Order level",
                    "R",
                    ">1",
                    [
                        Seg("HL", "R", "1", inline={3: ["O"]}),
                        Seg("PRF", "S", "1", {7: "amazon_order_type"}),
                        Seg("TD1", "S", "20"),
                        Seg("REF", "S", ">1"),
                        Seg("DTM", "S", "10"),
                        _n1_loop(),
                        Loop(
                            "HL_TARE",
                            "Tare (pallet) level",
                            "S",
                            ">1",
                            [
                                Seg("HL", "R", "1", inline={3: ["T"]}),
                                Seg("PO4", "S", "1"),
                                Seg("MAN", "S", ">1", {1: "amazon_marks_qualifier"}),
                                _asn_pack_loop(),
                            ],
                        ),
                        _asn_pack_loop(),
                        _asn_item_loop(),
                    ],
                ),
            ],
        ),
        Seg("CTT", "S", "1"),
    ]


MAP_856_4010 = TransactionMap(
    "856.4010.amazon.xml", "856", "Ship Notice/Manifest (Amazon retail)", "SH", "004010", _asn_body()
)
MAP_856_5010 = TransactionMap(
    "856.5010.amazon.xml", "856", "Ship Notice/Manifest (Amazon retail)", "SH", "005010", _asn_body()
)

MAP_810 = TransactionMap(
    "810.4010.amazon.xml",
    "810",
    "Invoice (Amazon retail)",
    "IN",
    "004010",
    [
        Seg("BIG", "R", "1"),
        Seg("CUR", "S", "1"),
        Seg("REF", "S", "12"),
        Seg("PER", "S", "3"),
        _n1_loop(),
        Seg("ITD", "S", ">1"),
        Seg("DTM", "S", "10"),
        Seg("FOB", "S", "1"),
        Loop(
            "IT1",
            "Baseline Item Data (Invoice)",
            "S",
            "200000",
            [
                Seg("IT1", "R", "1", {3: "amazon_unit", **_product_pairs(6, 10)}),
                Seg("CUR", "S", "1"),
                Seg("CTP", "S", "25"),
                Loop("PID", "Product/Item Description", "S", "1000", [Seg("PID", "R", "1")]),
                Seg("PO4", "S", "1"),
                Seg("REF", "S", ">1"),
                Seg("DTM", "S", "10"),
                Loop("SAC", "Line Allowance or Charge", "S", "25", [Seg("SAC", "R", "1", {1: "allowance_or_charge"})]),
            ],
        ),
        Seg("TDS", "R", "1"),
        Loop("SAC", "Invoice Allowance or Charge", "S", "25", [Seg("SAC", "R", "1", {1: "allowance_or_charge"})]),
        Seg("CTT", "S", "1"),
    ],
)

MAP_846 = TransactionMap(
    "846.4010.amazon.xml",
    "846",
    "Inventory Inquiry/Advice (Amazon retail)",
    "IB",
    "004010",
    [
        Seg("BIA", "R", "1"),
        Seg("CUR", "S", "1"),
        Seg("REF", "S", ">1"),
        Seg("PER", "S", "3"),
        Seg("DTM", "S", "10"),
        _n1_loop(),
        Loop(
            "LIN",
            "Item Identification",
            "S",
            "10000",
            [
                Seg("LIN", "R", "1", _product_pairs(2, 15)),
                Seg("PID", "S", "200"),
                Seg("REF", "S", ">1"),
                Seg("DTM", "S", "10"),
                Seg("CTP", "S", "25"),
                Loop(
                    "QTY",
                    "Quantity",
                    "S",
                    ">1",
                    [Seg("QTY", "R", "1"), Seg("SCH", "S", ">1")],
                ),
            ],
        ),
        Seg("CTT", "S", "1"),
    ],
)

MAP_820 = TransactionMap(
    "820.4010.amazon.xml",
    "820",
    "Payment Order/Remittance Advice (Amazon retail)",
    "RA",
    "004010",
    [
        Seg("BPR", "R", "1", {1: "payment_handling"}),
        Seg("TRN", "S", "1"),
        Seg("CUR", "S", "1"),
        Seg("REF", "S", ">1"),
        Seg("DTM", "S", ">1"),
        _n1_loop({1: "remittance_parties"}),
        Loop(
            "ENT",
            "Entity",
            "S",
            ">1",
            [
                Seg("ENT", "R", "1"),
                Loop("ADX", "Entity Adjustment", "S", ">1", [Seg("ADX", "R", "1"), Seg("REF", "S", ">1")]),
                Loop(
                    "RMR",
                    "Remittance Advice Open Item",
                    "S",
                    ">1",
                    [
                        Seg("RMR", "R", "1"),
                        Seg("REF", "S", ">1"),
                        Seg("DTM", "S", ">1"),
                        Loop("ADX", "Item Adjustment", "S", ">1", [Seg("ADX", "R", "1"), Seg("REF", "S", ">1")]),
                    ],
                ),
            ],
        ),
    ],
)

MAP_997 = TransactionMap(
    "997.4010.amazon.xml",
    "997",
    "Functional Acknowledgment (any group, not only HIPAA)",
    "FA",
    "004010",
    [
        Seg("AK1", "R", "1"),
        Loop(
            "AK2",
            "Transaction Set Response Header",
            "S",
            ">1",
            [
                Seg("AK2", "R", "1"),
                Loop(
                    "AK3",
                    "Data Segment Note",
                    "S",
                    ">1",
                    [Seg("AK3", "R", "1", {4: "ak3_segment_error"}), Seg("AK4", "S", "99", {3: "ak4_element_error"})],
                ),
                Seg(
                    "AK5",
                    "R",
                    "1",
                    {1: "ak5_set_ack", 2: "ak5_set_error", 3: "ak5_set_error", 4: "ak5_set_error",
                     5: "ak5_set_error", 6: "ak5_set_error"},
                ),
            ],
        ),
        Seg(
            "AK9",
            "R",
            "1",
            {1: "ak9_group_ack", 5: "ak9_group_error", 6: "ak9_group_error", 7: "ak9_group_error",
             8: "ak9_group_error", 9: "ak9_group_error"},
        ),
    ],
)

# A 997 acknowledges groups of either version, in the version of the group it answers.
MAP_997_5010 = TransactionMap(
    "997.5010.amazon.xml", MAP_997.set_id, MAP_997.name, "FA", "005010", MAP_997.body
)

TRANSACTION_MAPS = [
    MAP_850, MAP_860, MAP_855, MAP_856_4010, MAP_856_5010, MAP_810, MAP_846, MAP_820, MAP_997, MAP_997_5010,
]


# ---------------------------------------------------------------------------------------
# XML rendering
# ---------------------------------------------------------------------------------------
class _Xml:
    """Indented XML text, one element per line, the layout pyx12's own maps use."""

    def __init__(self) -> None:
        self.lines: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']

    def line(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def leaf(self, depth: int, tag: str, value: str) -> None:
        self.line(depth, f"<{tag}>{escape(value)}</{tag}>")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _element(
    xml: _Xml, depth: int, xid: str, data_ele: str, usage: str, seq: int,
    codes: str | None = None, inline: list[str] | None = None,
) -> None:
    xml.line(depth, f'<element xid="{xid}">')
    xml.leaf(depth + 1, "data_ele", data_ele)
    xml.leaf(depth + 1, "name", DATA_ELEMENTS[data_ele][3])
    xml.leaf(depth + 1, "usage", usage)
    xml.leaf(depth + 1, "seq", f"{seq:02d}")
    if inline is not None:
        xml.line(depth + 1, "<valid_codes>")
        for code in inline:
            xml.leaf(depth + 2, "code", code)
        xml.line(depth + 1, "</valid_codes>")
    elif codes is not None:
        xml.line(depth + 1, f'<valid_codes external="{codes}"/>')
    xml.line(depth, "</element>")


def _usage(requirement: str) -> str:
    return "R" if requirement == "M" else "S"


def _segment(xml: _Xml, depth: int, seg: Seg, pos: int, version: str) -> None:
    name, elements, syntax = SEGMENTS[seg.tag]
    if version == "005010":
        elements = elements + SEGMENTS_5010_EXTRA.get(seg.tag, [])
    xml.line(depth, f'<segment xid="{seg.tag}">')
    xml.leaf(depth + 1, "name", name)
    xml.leaf(depth + 1, "usage", seg.usage)
    xml.leaf(depth + 1, "pos", f"{pos:04d}")
    xml.leaf(depth + 1, "max_use", seg.max_use)
    for rule in syntax:
        xml.leaf(depth + 1, "syntax", rule)
    for seq, (ref, requirement) in enumerate(elements, start=1):
        xid = f"{seg.tag}{seq:02d}"
        if ref in COMPOSITES:
            comp_name, parts = COMPOSITES[ref]
            xml.line(depth + 1, f'<composite xid="{xid}">')
            xml.leaf(depth + 2, "data_ele", ref)
            xml.leaf(depth + 2, "name", comp_name)
            xml.leaf(depth + 2, "usage", _usage(requirement))
            xml.leaf(depth + 2, "seq", f"{seq:02d}")
            for sub_seq, (sub_ref, sub_req) in enumerate(parts, start=1):
                _element(xml, depth + 2, f"{xid}-{sub_seq}", sub_ref, _usage(sub_req), sub_seq)
            xml.line(depth + 1, "</composite>")
        else:
            _element(
                xml, depth + 1, xid, ref, _usage(requirement), seq,
                codes=seg.codes.get(seq), inline=seg.inline.get(seq),
            )
    xml.line(depth, "</segment>")


def _loop_open(xml: _Xml, depth: int, xid: str, name: str, usage: str, pos: int, repeat: str) -> None:
    xml.line(depth, f'<loop xid="{xid}" type="explicit">')
    xml.leaf(depth + 1, "name", name)
    xml.leaf(depth + 1, "usage", usage)
    xml.leaf(depth + 1, "pos", f"{pos:04d}")
    xml.leaf(depth + 1, "repeat", repeat)


def _body(xml: _Xml, depth: int, nodes: list[Seg | Loop], first_pos: int, version: str) -> None:
    for index, node in enumerate(nodes):
        pos = first_pos + 10 * index
        if isinstance(node, Seg):
            _segment(xml, depth, node, pos, version)
        else:
            _loop_open(xml, depth, node.xid, node.name, node.usage, pos, node.repeat)
            _body(xml, depth + 1, node.children, 10, version)
            xml.line(depth, "</loop>")


ISA_ID_QUALIFIERS = ["01", "02", "03", "04", "08", "09", "12", "14", "16", "20", "27", "28", "29", "30", "33", "ZZ"]


def _isa(version: str) -> Seg:
    """The ISA with its fixed values inline: they never start a segment match."""
    return Seg(
        "ISA",
        "R",
        "1",
        inline={
            1: ["00", "03"],
            3: ["00", "01"],
            5: ISA_ID_QUALIFIERS,
            7: ISA_ID_QUALIFIERS,
            **({11: ["U"]} if version == "004010" else {}),
            12: ["00401" if version == "004010" else "00501"],
            14: ["0", "1"],
            15: ["P", "T"],
        },
    )


ENVELOPE_SEGMENTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "ISA": (
        "Interchange Control Header",
        [("I01", "M"), ("I02", "M"), ("I03", "M"), ("I04", "M"), ("I05", "M"), ("I06", "M"),
         ("I05", "M"), ("I07", "M"), ("I08", "M"), ("I09", "M"), ("I10", "M"), ("I11", "M"),
         ("I12", "M"), ("I13", "M"), ("I14", "M"), ("I15", "M")],
    ),
    "GS": (
        "Functional Group Header",
        [("479", "M"), ("142", "M"), ("124", "M"), ("373", "M"), ("337", "M"), ("28", "M"),
         ("455", "M"), ("480", "M")],
    ),
    "ST": ("Transaction Set Header", [("143", "M"), ("329", "M")]),
    "SE": ("Transaction Set Trailer", [("96", "M"), ("329", "M")]),
    "GE": ("Functional Group Trailer", [("97", "M"), ("28", "M")]),
    "TA1": ("Interchange Acknowledgment", [("I12", "M"), ("I08", "M"), ("I09", "M"), ("I17", "M"), ("I18", "M")]),
    "IEA": ("Interchange Control Trailer", [("I16", "M"), ("I12", "M")]),
}


def _envelope_segment(xml: _Xml, depth: int, seg: Seg, pos: int, version: str) -> None:
    name, elements = ENVELOPE_SEGMENTS[seg.tag]
    if seg.tag == "ISA" and version == "005010":
        elements = elements[:10] + [("I65", "M")] + elements[11:]
    if seg.tag == "ST" and version == "005010":
        elements = elements + [("1705", "O")]
    xml.line(depth, f'<segment xid="{seg.tag}">')
    xml.leaf(depth + 1, "name", name)
    xml.leaf(depth + 1, "usage", seg.usage)
    xml.leaf(depth + 1, "pos", f"{pos:04d}")
    xml.leaf(depth + 1, "max_use", seg.max_use)
    for seq, (ref, requirement) in enumerate(elements, start=1):
        _element(xml, depth + 1, f"{seg.tag}{seq:02d}", ref, _usage(requirement), seq, inline=seg.inline.get(seq))
    xml.line(depth, "</segment>")


def render_transaction_map(tmap: TransactionMap) -> str:
    """The map for one set: the whole envelope around the set's own segments."""
    xml = _Xml()
    xml.line(0, "<!-- Generated by edi_maps/pyx12_maps/generate.py: edit the tables there, not this file. -->")
    xml.line(0, f'<transaction xid="{tmap.set_id}">')
    xml.leaf(1, "name", f"{tmap.name} {tmap.set_id} X12 {tmap.version}")
    _loop_open(xml, 1, "ISA_LOOP", "Interchange Control Header", "R", 1, ">1")
    _envelope_segment(xml, 2, _isa(tmap.version), 10, tmap.version)
    _loop_open(xml, 2, "GS_LOOP", "Functional Group Header", "R", 20, ">1")
    gs = Seg("GS", "R", "1", inline={1: [tmap.functional_id], 7: ["X"], 8: [tmap.version]})
    _envelope_segment(xml, 3, gs, 10, tmap.version)
    _loop_open(xml, 3, "ST_LOOP", "Transaction Set Header", "R", 20, ">1")
    _envelope_segment(xml, 4, Seg("ST", "R", "1"), 10, tmap.version)
    _body(xml, 4, tmap.body, 20, tmap.version)
    _envelope_segment(xml, 4, Seg("SE", "R", "1"), 20 + 10 * len(tmap.body), tmap.version)
    xml.line(3, "</loop>")
    _envelope_segment(xml, 3, Seg("GE", "R", "1"), 30, tmap.version)
    xml.line(2, "</loop>")
    _envelope_segment(xml, 2, Seg("TA1", "S", "1", inline={4: ["A", "E", "R"], 5: TA1_NOTE_CODES}), 20, tmap.version)
    _envelope_segment(xml, 2, Seg("IEA", "R", "1"), 30, tmap.version)
    xml.line(1, "</loop>")
    xml.line(0, "</transaction>")
    return xml.text()


def render_control_map(version: str) -> str:
    """The map pyx12 reads ISA and GS with before a group's map is known."""
    functional_ids = sorted({m.functional_id for m in TRANSACTION_MAPS})
    versions = sorted({m.version for m in TRANSACTION_MAPS})
    xml = _Xml()
    xml.line(0, "<!-- Generated by edi_maps/pyx12_maps/generate.py: edit the tables there, not this file. -->")
    xml.line(0, '<transaction xid="X12">')
    xml.leaf(1, "name", f"X12 Control {version}")
    _loop_open(xml, 1, "ISA_LOOP", "Interchange Control Header", "R", 1, ">1")
    _envelope_segment(xml, 2, _isa(version), 10, version)
    # X12.5: an interchange holds zero or more TA1s, then zero or more groups; an
    # interchange of one TA1 (how we refuse one) is valid.
    _envelope_segment(xml, 2, Seg("TA1", "S", ">1", inline={4: ["A", "E", "R"], 5: TA1_NOTE_CODES}), 15, version)
    _loop_open(xml, 2, "GS_LOOP", "Functional Group Header", "S", 20, ">1")
    gs = Seg("GS", "R", "1", inline={1: functional_ids, 7: ["X"], 8: versions})
    _envelope_segment(xml, 3, gs, 10, version)
    _envelope_segment(xml, 3, Seg("GE", "R", "1"), 30, version)
    xml.line(2, "</loop>")
    _envelope_segment(xml, 2, Seg("IEA", "R", "1"), 30, version)
    xml.line(1, "</loop>")
    xml.line(0, "</transaction>")
    return xml.text()


def render_maps_index() -> str:
    """maps.xml: pyx12 picks a map by exact (ISA12, GS01, GS08)."""
    entries: dict[str, list[tuple[str, str, str, str]]] = {"00401": [], "00501": []}
    for tmap in TRANSACTION_MAPS:
        entries[tmap.icvn].append((tmap.version, tmap.functional_id, tmap.file_name, tmap.set_id))
    xml = _Xml()
    xml.line(0, "<!-- Generated by edi_maps/pyx12_maps/generate.py. icvn = ISA12, fic = GS01, vriic = GS08. -->")
    xml.line(0, "<maps>")
    for icvn, maps in entries.items():
        xml.line(1, f'<version icvn="{icvn}">')
        for version, functional_id, file_name, abbr in maps:
            xml.line(2, f'<map vriic="{version}" fic="{functional_id}" abbr="{abbr}">{file_name}</map>')
        xml.line(2, f'<map vriic="" fic="" abbr="X12">x12.control.{icvn}.xml</map>')
        xml.line(1, "</version>")
    xml.line(0, "</maps>")
    return xml.text()


def render_data_elements() -> str:
    xml = _Xml()
    xml.line(0, "<!-- Generated by edi_maps/pyx12_maps/generate.py: every data element the Amazon maps use. -->")
    xml.line(0, "<dataele>")
    for number, (data_type, min_len, max_len, name) in sorted(DATA_ELEMENTS.items()):
        xml.line(
            1,
            f'<data_ele ele_num="{number}" data_type="{data_type}" min_len="{min_len}" '
            f'max_len="{max_len}" name="{escape(name)}"/>',
        )
    xml.line(0, "</dataele>")
    return xml.text()


def render_codes() -> str:
    xml = _Xml()
    xml.line(0, "<!-- Generated by edi_maps/pyx12_maps/generate.py: code lists referenced with external=. -->")
    xml.line(0, "<codesets>")
    for code_id, (data_ele, name, codes) in CODE_LISTS.items():
        xml.line(1, "<codeset>")
        xml.leaf(2, "id", code_id)
        xml.leaf(2, "name", name)
        xml.leaf(2, "data_ele", data_ele)
        xml.line(2, "<version>")
        for code in codes:
            xml.leaf(3, "code", code)
        xml.line(2, "</version>")
        xml.line(1, "</codeset>")
    xml.line(0, "</codesets>")
    return xml.text()


def render_all() -> dict[str, str]:
    """Every file of the map folder, by file name."""
    files = {
        "maps.xml": render_maps_index(),
        "dataele.xml": render_data_elements(),
        "codes.xml": render_codes(),
        "x12.control.00401.xml": render_control_map("004010"),
        "x12.control.00501.xml": render_control_map("005010"),
    }
    for tmap in TRANSACTION_MAPS:
        files[tmap.file_name] = render_transaction_map(tmap)
    return files


def main() -> int:
    for file_name, text in render_all().items():
        (MAP_DIR / file_name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
